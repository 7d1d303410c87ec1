"""Hello world: one activity, one task.

openswf run examples/hello.py
openswf run examples/hello.py --input '"Ada"'
"""

from openswf.sdk import ActivityTask, DeciderSpec, activity


@activity(name="hello.greet", version="1", task_list="hello")
def greet(context):
    """Greet whoever the workflow input names."""
    return f"Hello, {context.workflow_input or 'world'}!"


input = "world"

spec = DeciderSpec(
    domain="examples",
    task_list="hello-decisions",
    tasks=[ActivityTask(greet, id="greet")],
)
