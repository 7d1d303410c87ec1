"""A generator fans out over a list; a last task adds up the results.

split (a Generator) -> square(x) for each x -> total

    openswf run examples/fanout.py --input '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'
"""

from openswf.sdk import ActivityTask, DeciderSpec, Generator, activity


@activity(name="fanout.square", version="1", task_list="fanout")
def square(x):
    return x * x


@activity(name="fanout.split", version="1", task_list="fanout")
def split(context):
    """One square task per item of the workflow input: new tasks for the graph."""
    return [ActivityTask(square, x, id=f"square-{i}") for i, x in enumerate(context.workflow_input)]


@activity(name="fanout.total", version="1", task_list="fanout")
def total(context):
    """Sees the results of every task the generator made."""
    return {"count": len(context.requires), "sum": sum(context.requires.values())}


input = [1, 2, 3, 4, 5, 6, 7, 8]

splitter = Generator(split, id="split")
spec = DeciderSpec(
    domain="examples",
    task_list="fanout-decisions",
    tasks=[ActivityTask(total, id="total", requires=[splitter])],
)
