"""Futures style (as in simpleflow): a chain, a map fan-out, a child workflow, a timer and a
signal, in one workflow written as plain code.

    openswf run examples/futures.py            # on an embedded server
    openswf run --local examples/futures.py    # in-process, no server, timers skipped

``self.submit`` returns a future at once; ``.result()`` (or ``futures.wait``) waits for it.
Everything submitted before a wait runs side by side.
"""

from openswf.sdk import Call, Chain, Workflow, activity, futures


@activity(name="futures.increment", version="1", task_list="futures")
def increment(x):
    return x + 1


@activity(name="futures.double", version="1", task_list="futures")
def double(x):
    return x * 2


@activity(name="futures.square", version="1", task_list="futures")
def square(x):
    return x * x


@activity(name="futures.total", version="1", task_list="futures")
def total(values):
    return sum(values)


class Report(Workflow):
    """The child: adds the numbers up, and tells its parent by a signal."""

    name = "futures.report"
    task_list = "futures-decisions"

    def run(self, numbers):
        summary = self.submit(total, numbers).result()
        self.signal(self.parent_workflow_id, "report-ready", {"total": summary}).result()
        return {"count": len(numbers), "total": summary}


class Arithmetic(Workflow):
    name = "futures.arithmetic"
    task_list = "futures-decisions"

    def run(self, x):
        # A chain: (x + 1) * 2, each step fed the previous result.
        chain = self.submit(Chain(Call(increment, x), Call(double), send_result=True))
        # A map fan-out: four squares side by side (and beside the chain).
        squares = self.map(square, range(1, 5))
        numbers = [chain.result()[-1], *futures.wait(*squares)]
        # A child workflow, started with the results so far.
        report = self.submit(Report, numbers)
        # A durable timer, then the signal the child sends.
        self.sleep(2)
        ready = self.wait_signal("report-ready")
        return {"chain": chain.result(), "report": report.result(), "signal": ready}


workflow = Arithmetic
input = 3
