"""Deciders: the Decider interface, its runner, and the task-graph style."""

from openswf.sdk.deciders.base import Decider, Decisions, DecisionWorker
from openswf.sdk.deciders.daemon import DaemonDecider
from openswf.sdk.deciders.dynamic import DynamicDecider, dynamic_input
from openswf.sdk.deciders.graph import GraphDecider, progress_of
from openswf.sdk.deciders.state import GraphState

__all__ = [
    "DaemonDecider",
    "Decider",
    "DecisionWorker",
    "Decisions",
    "DynamicDecider",
    "GraphDecider",
    "GraphState",
    "dynamic_input",
    "progress_of",
]
