"""Typed SWF operations and shapes, generated from botocore's model by ``_codegen.py``.

Do not edit: run ``python -m openswf.sdk._codegen``. Methods take boto3's keyword names
(camelCase) and return the decoded JSON answer; timestamps are epoch seconds (floats).
"""

# ruff: noqa: E501
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Required, TypedDict, cast


class ActivityTask(TypedDict, total=False):
    taskToken: str
    activityId: str
    startedEventId: int
    workflowExecution: WorkflowExecution
    activityType: ActivityType
    input: str


class ActivityTaskCancelRequestedEventAttributes(TypedDict, total=False):
    decisionTaskCompletedEventId: Required[int]
    activityId: Required[str]


class ActivityTaskCanceledEventAttributes(TypedDict, total=False):
    details: str
    scheduledEventId: Required[int]
    startedEventId: Required[int]
    latestCancelRequestedEventId: int


class ActivityTaskCompletedEventAttributes(TypedDict, total=False):
    result: str
    scheduledEventId: Required[int]
    startedEventId: Required[int]


class ActivityTaskFailedEventAttributes(TypedDict, total=False):
    reason: str
    details: str
    scheduledEventId: Required[int]
    startedEventId: Required[int]


class ActivityTaskScheduledEventAttributes(TypedDict, total=False):
    activityType: Required[ActivityType]
    activityId: Required[str]
    input: str
    control: str
    scheduleToStartTimeout: str
    scheduleToCloseTimeout: str
    startToCloseTimeout: str
    taskList: Required[TaskList]
    taskPriority: str
    decisionTaskCompletedEventId: Required[int]
    heartbeatTimeout: str


class ActivityTaskStartedEventAttributes(TypedDict, total=False):
    identity: str
    scheduledEventId: Required[int]


class ActivityTaskStatus(TypedDict, total=False):
    cancelRequested: Required[bool]


class ActivityTaskTimedOutEventAttributes(TypedDict, total=False):
    timeoutType: Required[Literal['START_TO_CLOSE', 'SCHEDULE_TO_START', 'SCHEDULE_TO_CLOSE', 'HEARTBEAT']]
    scheduledEventId: Required[int]
    startedEventId: Required[int]
    details: str


class ActivityType(TypedDict, total=False):
    name: Required[str]
    version: Required[str]


class ActivityTypeConfiguration(TypedDict, total=False):
    defaultTaskStartToCloseTimeout: str
    defaultTaskHeartbeatTimeout: str
    defaultTaskList: TaskList
    defaultTaskPriority: str
    defaultTaskScheduleToStartTimeout: str
    defaultTaskScheduleToCloseTimeout: str


class ActivityTypeDetail(TypedDict, total=False):
    typeInfo: Required[ActivityTypeInfo]
    configuration: Required[ActivityTypeConfiguration]


class ActivityTypeInfo(TypedDict, total=False):
    activityType: Required[ActivityType]
    status: Required[Literal['REGISTERED', 'DEPRECATED']]
    description: str
    creationDate: Required[float | datetime]
    deprecationDate: float | datetime


class ActivityTypeInfos(TypedDict, total=False):
    typeInfos: Required[list[ActivityTypeInfo]]
    nextPageToken: str


class CancelTimerDecisionAttributes(TypedDict, total=False):
    timerId: Required[str]


class CancelTimerFailedEventAttributes(TypedDict, total=False):
    timerId: Required[str]
    cause: Required[Literal['TIMER_ID_UNKNOWN', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class CancelWorkflowExecutionDecisionAttributes(TypedDict, total=False):
    details: str


class CancelWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    cause: Required[Literal['UNHANDLED_DECISION', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class ChildWorkflowExecutionCanceledEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    workflowType: Required[WorkflowType]
    details: str
    initiatedEventId: Required[int]
    startedEventId: Required[int]


class ChildWorkflowExecutionCompletedEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    workflowType: Required[WorkflowType]
    result: str
    initiatedEventId: Required[int]
    startedEventId: Required[int]


class ChildWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    workflowType: Required[WorkflowType]
    reason: str
    details: str
    initiatedEventId: Required[int]
    startedEventId: Required[int]


class ChildWorkflowExecutionStartedEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    workflowType: Required[WorkflowType]
    initiatedEventId: Required[int]


class ChildWorkflowExecutionTerminatedEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    workflowType: Required[WorkflowType]
    initiatedEventId: Required[int]
    startedEventId: Required[int]


class ChildWorkflowExecutionTimedOutEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    workflowType: Required[WorkflowType]
    timeoutType: Required[Literal['START_TO_CLOSE']]
    initiatedEventId: Required[int]
    startedEventId: Required[int]


class CloseStatusFilter(TypedDict, total=False):
    status: Required[Literal['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT']]


class CompleteWorkflowExecutionDecisionAttributes(TypedDict, total=False):
    result: str


class CompleteWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    cause: Required[Literal['UNHANDLED_DECISION', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class ContinueAsNewWorkflowExecutionDecisionAttributes(TypedDict, total=False):
    input: str
    executionStartToCloseTimeout: str
    taskList: TaskList
    taskPriority: str
    taskStartToCloseTimeout: str
    childPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']
    tagList: list[str]
    workflowTypeVersion: str
    lambdaRole: str


class ContinueAsNewWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    cause: Required[Literal['UNHANDLED_DECISION', 'WORKFLOW_TYPE_DEPRECATED', 'WORKFLOW_TYPE_DOES_NOT_EXIST', 'DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED', 'DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED', 'DEFAULT_TASK_LIST_UNDEFINED', 'DEFAULT_CHILD_POLICY_UNDEFINED', 'CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class Decision(TypedDict, total=False):
    decisionType: Required[Literal['ScheduleActivityTask', 'RequestCancelActivityTask', 'CompleteWorkflowExecution', 'FailWorkflowExecution', 'CancelWorkflowExecution', 'ContinueAsNewWorkflowExecution', 'RecordMarker', 'StartTimer', 'CancelTimer', 'SignalExternalWorkflowExecution', 'RequestCancelExternalWorkflowExecution', 'StartChildWorkflowExecution', 'ScheduleLambdaFunction']]
    scheduleActivityTaskDecisionAttributes: ScheduleActivityTaskDecisionAttributes
    requestCancelActivityTaskDecisionAttributes: RequestCancelActivityTaskDecisionAttributes
    completeWorkflowExecutionDecisionAttributes: CompleteWorkflowExecutionDecisionAttributes
    failWorkflowExecutionDecisionAttributes: FailWorkflowExecutionDecisionAttributes
    cancelWorkflowExecutionDecisionAttributes: CancelWorkflowExecutionDecisionAttributes
    continueAsNewWorkflowExecutionDecisionAttributes: ContinueAsNewWorkflowExecutionDecisionAttributes
    recordMarkerDecisionAttributes: RecordMarkerDecisionAttributes
    startTimerDecisionAttributes: StartTimerDecisionAttributes
    cancelTimerDecisionAttributes: CancelTimerDecisionAttributes
    signalExternalWorkflowExecutionDecisionAttributes: SignalExternalWorkflowExecutionDecisionAttributes
    requestCancelExternalWorkflowExecutionDecisionAttributes: RequestCancelExternalWorkflowExecutionDecisionAttributes
    startChildWorkflowExecutionDecisionAttributes: StartChildWorkflowExecutionDecisionAttributes
    scheduleLambdaFunctionDecisionAttributes: ScheduleLambdaFunctionDecisionAttributes


class DecisionTask(TypedDict, total=False):
    taskToken: str
    startedEventId: int
    workflowExecution: WorkflowExecution
    workflowType: WorkflowType
    events: list[HistoryEvent]
    nextPageToken: str
    previousStartedEventId: int


class DecisionTaskCompletedEventAttributes(TypedDict, total=False):
    executionContext: str
    scheduledEventId: Required[int]
    startedEventId: Required[int]
    taskList: TaskList
    taskListScheduleToStartTimeout: str


class DecisionTaskScheduledEventAttributes(TypedDict, total=False):
    taskList: Required[TaskList]
    taskPriority: str
    startToCloseTimeout: str
    scheduleToStartTimeout: str


class DecisionTaskStartedEventAttributes(TypedDict, total=False):
    identity: str
    scheduledEventId: Required[int]


class DecisionTaskTimedOutEventAttributes(TypedDict, total=False):
    timeoutType: Required[Literal['START_TO_CLOSE', 'SCHEDULE_TO_START']]
    scheduledEventId: Required[int]
    startedEventId: Required[int]


class DomainConfiguration(TypedDict, total=False):
    workflowExecutionRetentionPeriodInDays: Required[str]


class DomainDetail(TypedDict, total=False):
    domainInfo: Required[DomainInfo]
    configuration: Required[DomainConfiguration]


class DomainInfo(TypedDict, total=False):
    name: Required[str]
    status: Required[Literal['REGISTERED', 'DEPRECATED']]
    description: str
    arn: str


class DomainInfos(TypedDict, total=False):
    domainInfos: Required[list[DomainInfo]]
    nextPageToken: str


class ExecutionTimeFilter(TypedDict, total=False):
    oldestDate: Required[float | datetime]
    latestDate: float | datetime


class ExternalWorkflowExecutionCancelRequestedEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    initiatedEventId: Required[int]


class ExternalWorkflowExecutionSignaledEventAttributes(TypedDict, total=False):
    workflowExecution: Required[WorkflowExecution]
    initiatedEventId: Required[int]


class FailWorkflowExecutionDecisionAttributes(TypedDict, total=False):
    reason: str
    details: str


class FailWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    cause: Required[Literal['UNHANDLED_DECISION', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class History(TypedDict, total=False):
    events: Required[list[HistoryEvent]]
    nextPageToken: str


class HistoryEvent(TypedDict, total=False):
    eventTimestamp: Required[float | datetime]
    eventType: Required[Literal['WorkflowExecutionStarted', 'WorkflowExecutionCancelRequested', 'WorkflowExecutionCompleted', 'CompleteWorkflowExecutionFailed', 'WorkflowExecutionFailed', 'FailWorkflowExecutionFailed', 'WorkflowExecutionTimedOut', 'WorkflowExecutionCanceled', 'CancelWorkflowExecutionFailed', 'WorkflowExecutionContinuedAsNew', 'ContinueAsNewWorkflowExecutionFailed', 'WorkflowExecutionTerminated', 'DecisionTaskScheduled', 'DecisionTaskStarted', 'DecisionTaskCompleted', 'DecisionTaskTimedOut', 'ActivityTaskScheduled', 'ScheduleActivityTaskFailed', 'ActivityTaskStarted', 'ActivityTaskCompleted', 'ActivityTaskFailed', 'ActivityTaskTimedOut', 'ActivityTaskCanceled', 'ActivityTaskCancelRequested', 'RequestCancelActivityTaskFailed', 'WorkflowExecutionSignaled', 'MarkerRecorded', 'RecordMarkerFailed', 'TimerStarted', 'StartTimerFailed', 'TimerFired', 'TimerCanceled', 'CancelTimerFailed', 'StartChildWorkflowExecutionInitiated', 'StartChildWorkflowExecutionFailed', 'ChildWorkflowExecutionStarted', 'ChildWorkflowExecutionCompleted', 'ChildWorkflowExecutionFailed', 'ChildWorkflowExecutionTimedOut', 'ChildWorkflowExecutionCanceled', 'ChildWorkflowExecutionTerminated', 'SignalExternalWorkflowExecutionInitiated', 'SignalExternalWorkflowExecutionFailed', 'ExternalWorkflowExecutionSignaled', 'RequestCancelExternalWorkflowExecutionInitiated', 'RequestCancelExternalWorkflowExecutionFailed', 'ExternalWorkflowExecutionCancelRequested', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionCompleted', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'ScheduleLambdaFunctionFailed', 'StartLambdaFunctionFailed']]
    eventId: Required[int]
    workflowExecutionStartedEventAttributes: WorkflowExecutionStartedEventAttributes
    workflowExecutionCompletedEventAttributes: WorkflowExecutionCompletedEventAttributes
    completeWorkflowExecutionFailedEventAttributes: CompleteWorkflowExecutionFailedEventAttributes
    workflowExecutionFailedEventAttributes: WorkflowExecutionFailedEventAttributes
    failWorkflowExecutionFailedEventAttributes: FailWorkflowExecutionFailedEventAttributes
    workflowExecutionTimedOutEventAttributes: WorkflowExecutionTimedOutEventAttributes
    workflowExecutionCanceledEventAttributes: WorkflowExecutionCanceledEventAttributes
    cancelWorkflowExecutionFailedEventAttributes: CancelWorkflowExecutionFailedEventAttributes
    workflowExecutionContinuedAsNewEventAttributes: WorkflowExecutionContinuedAsNewEventAttributes
    continueAsNewWorkflowExecutionFailedEventAttributes: ContinueAsNewWorkflowExecutionFailedEventAttributes
    workflowExecutionTerminatedEventAttributes: WorkflowExecutionTerminatedEventAttributes
    workflowExecutionCancelRequestedEventAttributes: WorkflowExecutionCancelRequestedEventAttributes
    decisionTaskScheduledEventAttributes: DecisionTaskScheduledEventAttributes
    decisionTaskStartedEventAttributes: DecisionTaskStartedEventAttributes
    decisionTaskCompletedEventAttributes: DecisionTaskCompletedEventAttributes
    decisionTaskTimedOutEventAttributes: DecisionTaskTimedOutEventAttributes
    activityTaskScheduledEventAttributes: ActivityTaskScheduledEventAttributes
    activityTaskStartedEventAttributes: ActivityTaskStartedEventAttributes
    activityTaskCompletedEventAttributes: ActivityTaskCompletedEventAttributes
    activityTaskFailedEventAttributes: ActivityTaskFailedEventAttributes
    activityTaskTimedOutEventAttributes: ActivityTaskTimedOutEventAttributes
    activityTaskCanceledEventAttributes: ActivityTaskCanceledEventAttributes
    activityTaskCancelRequestedEventAttributes: ActivityTaskCancelRequestedEventAttributes
    workflowExecutionSignaledEventAttributes: WorkflowExecutionSignaledEventAttributes
    markerRecordedEventAttributes: MarkerRecordedEventAttributes
    recordMarkerFailedEventAttributes: RecordMarkerFailedEventAttributes
    timerStartedEventAttributes: TimerStartedEventAttributes
    timerFiredEventAttributes: TimerFiredEventAttributes
    timerCanceledEventAttributes: TimerCanceledEventAttributes
    startChildWorkflowExecutionInitiatedEventAttributes: StartChildWorkflowExecutionInitiatedEventAttributes
    childWorkflowExecutionStartedEventAttributes: ChildWorkflowExecutionStartedEventAttributes
    childWorkflowExecutionCompletedEventAttributes: ChildWorkflowExecutionCompletedEventAttributes
    childWorkflowExecutionFailedEventAttributes: ChildWorkflowExecutionFailedEventAttributes
    childWorkflowExecutionTimedOutEventAttributes: ChildWorkflowExecutionTimedOutEventAttributes
    childWorkflowExecutionCanceledEventAttributes: ChildWorkflowExecutionCanceledEventAttributes
    childWorkflowExecutionTerminatedEventAttributes: ChildWorkflowExecutionTerminatedEventAttributes
    signalExternalWorkflowExecutionInitiatedEventAttributes: SignalExternalWorkflowExecutionInitiatedEventAttributes
    externalWorkflowExecutionSignaledEventAttributes: ExternalWorkflowExecutionSignaledEventAttributes
    signalExternalWorkflowExecutionFailedEventAttributes: SignalExternalWorkflowExecutionFailedEventAttributes
    externalWorkflowExecutionCancelRequestedEventAttributes: ExternalWorkflowExecutionCancelRequestedEventAttributes
    requestCancelExternalWorkflowExecutionInitiatedEventAttributes: RequestCancelExternalWorkflowExecutionInitiatedEventAttributes
    requestCancelExternalWorkflowExecutionFailedEventAttributes: RequestCancelExternalWorkflowExecutionFailedEventAttributes
    scheduleActivityTaskFailedEventAttributes: ScheduleActivityTaskFailedEventAttributes
    requestCancelActivityTaskFailedEventAttributes: RequestCancelActivityTaskFailedEventAttributes
    startTimerFailedEventAttributes: StartTimerFailedEventAttributes
    cancelTimerFailedEventAttributes: CancelTimerFailedEventAttributes
    startChildWorkflowExecutionFailedEventAttributes: StartChildWorkflowExecutionFailedEventAttributes
    lambdaFunctionScheduledEventAttributes: LambdaFunctionScheduledEventAttributes
    lambdaFunctionStartedEventAttributes: LambdaFunctionStartedEventAttributes
    lambdaFunctionCompletedEventAttributes: LambdaFunctionCompletedEventAttributes
    lambdaFunctionFailedEventAttributes: LambdaFunctionFailedEventAttributes
    lambdaFunctionTimedOutEventAttributes: LambdaFunctionTimedOutEventAttributes
    scheduleLambdaFunctionFailedEventAttributes: ScheduleLambdaFunctionFailedEventAttributes
    startLambdaFunctionFailedEventAttributes: StartLambdaFunctionFailedEventAttributes


class LambdaFunctionCompletedEventAttributes(TypedDict, total=False):
    scheduledEventId: Required[int]
    startedEventId: Required[int]
    result: str


class LambdaFunctionFailedEventAttributes(TypedDict, total=False):
    scheduledEventId: Required[int]
    startedEventId: Required[int]
    reason: str
    details: str


class LambdaFunctionScheduledEventAttributes(TypedDict, total=False):
    id: Required[str]
    name: Required[str]
    control: str
    input: str
    startToCloseTimeout: str
    decisionTaskCompletedEventId: Required[int]


class LambdaFunctionStartedEventAttributes(TypedDict, total=False):
    scheduledEventId: Required[int]


class LambdaFunctionTimedOutEventAttributes(TypedDict, total=False):
    scheduledEventId: Required[int]
    startedEventId: Required[int]
    timeoutType: Literal['START_TO_CLOSE']


class ListTagsForResourceOutput(TypedDict, total=False):
    tags: list[ResourceTag]


class MarkerRecordedEventAttributes(TypedDict, total=False):
    markerName: Required[str]
    details: str
    decisionTaskCompletedEventId: Required[int]


class PendingTaskCount(TypedDict, total=False):
    count: Required[int]
    truncated: bool


class RecordMarkerDecisionAttributes(TypedDict, total=False):
    markerName: Required[str]
    details: str


class RecordMarkerFailedEventAttributes(TypedDict, total=False):
    markerName: Required[str]
    cause: Required[Literal['OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class RequestCancelActivityTaskDecisionAttributes(TypedDict, total=False):
    activityId: Required[str]


class RequestCancelActivityTaskFailedEventAttributes(TypedDict, total=False):
    activityId: Required[str]
    cause: Required[Literal['ACTIVITY_ID_UNKNOWN', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class RequestCancelExternalWorkflowExecutionDecisionAttributes(TypedDict, total=False):
    workflowId: Required[str]
    runId: str
    control: str


class RequestCancelExternalWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    workflowId: Required[str]
    runId: str
    cause: Required[Literal['UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION', 'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED', 'OPERATION_NOT_PERMITTED']]
    initiatedEventId: Required[int]
    decisionTaskCompletedEventId: Required[int]
    control: str


class RequestCancelExternalWorkflowExecutionInitiatedEventAttributes(TypedDict, total=False):
    workflowId: Required[str]
    runId: str
    decisionTaskCompletedEventId: Required[int]
    control: str


class ResourceTag(TypedDict, total=False):
    key: Required[str]
    value: str


class Run(TypedDict, total=False):
    runId: str


class ScheduleActivityTaskDecisionAttributes(TypedDict, total=False):
    activityType: Required[ActivityType]
    activityId: Required[str]
    control: str
    input: str
    scheduleToCloseTimeout: str
    taskList: TaskList
    taskPriority: str
    scheduleToStartTimeout: str
    startToCloseTimeout: str
    heartbeatTimeout: str


class ScheduleActivityTaskFailedEventAttributes(TypedDict, total=False):
    activityType: Required[ActivityType]
    activityId: Required[str]
    cause: Required[Literal['ACTIVITY_TYPE_DEPRECATED', 'ACTIVITY_TYPE_DOES_NOT_EXIST', 'ACTIVITY_ID_ALREADY_IN_USE', 'OPEN_ACTIVITIES_LIMIT_EXCEEDED', 'ACTIVITY_CREATION_RATE_EXCEEDED', 'DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED', 'DEFAULT_TASK_LIST_UNDEFINED', 'DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED', 'DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED', 'DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class ScheduleLambdaFunctionDecisionAttributes(TypedDict, total=False):
    id: Required[str]
    name: Required[str]
    control: str
    input: str
    startToCloseTimeout: str


class ScheduleLambdaFunctionFailedEventAttributes(TypedDict, total=False):
    id: Required[str]
    name: Required[str]
    cause: Required[Literal['ID_ALREADY_IN_USE', 'OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED', 'LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED', 'LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION']]
    decisionTaskCompletedEventId: Required[int]


class SignalExternalWorkflowExecutionDecisionAttributes(TypedDict, total=False):
    workflowId: Required[str]
    runId: str
    signalName: Required[str]
    input: str
    control: str


class SignalExternalWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    workflowId: Required[str]
    runId: str
    cause: Required[Literal['UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION', 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED', 'OPERATION_NOT_PERMITTED']]
    initiatedEventId: Required[int]
    decisionTaskCompletedEventId: Required[int]
    control: str


class SignalExternalWorkflowExecutionInitiatedEventAttributes(TypedDict, total=False):
    workflowId: Required[str]
    runId: str
    signalName: Required[str]
    input: str
    decisionTaskCompletedEventId: Required[int]
    control: str


class StartChildWorkflowExecutionDecisionAttributes(TypedDict, total=False):
    workflowType: Required[WorkflowType]
    workflowId: Required[str]
    control: str
    input: str
    executionStartToCloseTimeout: str
    taskList: TaskList
    taskPriority: str
    taskStartToCloseTimeout: str
    childPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']
    tagList: list[str]
    lambdaRole: str


class StartChildWorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    workflowType: Required[WorkflowType]
    cause: Required[Literal['WORKFLOW_TYPE_DOES_NOT_EXIST', 'WORKFLOW_TYPE_DEPRECATED', 'OPEN_CHILDREN_LIMIT_EXCEEDED', 'OPEN_WORKFLOWS_LIMIT_EXCEEDED', 'CHILD_CREATION_RATE_EXCEEDED', 'WORKFLOW_ALREADY_RUNNING', 'DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED', 'DEFAULT_TASK_LIST_UNDEFINED', 'DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED', 'DEFAULT_CHILD_POLICY_UNDEFINED', 'OPERATION_NOT_PERMITTED']]
    workflowId: Required[str]
    initiatedEventId: Required[int]
    decisionTaskCompletedEventId: Required[int]
    control: str


class StartChildWorkflowExecutionInitiatedEventAttributes(TypedDict, total=False):
    workflowId: Required[str]
    workflowType: Required[WorkflowType]
    control: str
    input: str
    executionStartToCloseTimeout: str
    taskList: Required[TaskList]
    taskPriority: str
    decisionTaskCompletedEventId: Required[int]
    childPolicy: Required[Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']]
    taskStartToCloseTimeout: str
    tagList: list[str]
    lambdaRole: str


class StartLambdaFunctionFailedEventAttributes(TypedDict, total=False):
    scheduledEventId: int
    cause: Literal['ASSUME_ROLE_FAILED']
    message: str


class StartTimerDecisionAttributes(TypedDict, total=False):
    timerId: Required[str]
    control: str
    startToFireTimeout: Required[str]


class StartTimerFailedEventAttributes(TypedDict, total=False):
    timerId: Required[str]
    cause: Required[Literal['TIMER_ID_ALREADY_IN_USE', 'OPEN_TIMERS_LIMIT_EXCEEDED', 'TIMER_CREATION_RATE_EXCEEDED', 'OPERATION_NOT_PERMITTED']]
    decisionTaskCompletedEventId: Required[int]


class TagFilter(TypedDict, total=False):
    tag: Required[str]


class TaskList(TypedDict, total=False):
    name: Required[str]


class TimerCanceledEventAttributes(TypedDict, total=False):
    timerId: Required[str]
    startedEventId: Required[int]
    decisionTaskCompletedEventId: Required[int]


class TimerFiredEventAttributes(TypedDict, total=False):
    timerId: Required[str]
    startedEventId: Required[int]


class TimerStartedEventAttributes(TypedDict, total=False):
    timerId: Required[str]
    control: str
    startToFireTimeout: Required[str]
    decisionTaskCompletedEventId: Required[int]


class WorkflowExecution(TypedDict, total=False):
    workflowId: Required[str]
    runId: Required[str]


class WorkflowExecutionCancelRequestedEventAttributes(TypedDict, total=False):
    externalWorkflowExecution: WorkflowExecution
    externalInitiatedEventId: int
    cause: Literal['CHILD_POLICY_APPLIED']


class WorkflowExecutionCanceledEventAttributes(TypedDict, total=False):
    details: str
    decisionTaskCompletedEventId: Required[int]


class WorkflowExecutionCompletedEventAttributes(TypedDict, total=False):
    result: str
    decisionTaskCompletedEventId: Required[int]


class WorkflowExecutionConfiguration(TypedDict, total=False):
    taskStartToCloseTimeout: Required[str]
    executionStartToCloseTimeout: Required[str]
    taskList: Required[TaskList]
    taskPriority: str
    childPolicy: Required[Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']]
    lambdaRole: str


class WorkflowExecutionContinuedAsNewEventAttributes(TypedDict, total=False):
    input: str
    decisionTaskCompletedEventId: Required[int]
    newExecutionRunId: Required[str]
    executionStartToCloseTimeout: str
    taskList: Required[TaskList]
    taskPriority: str
    taskStartToCloseTimeout: str
    childPolicy: Required[Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']]
    tagList: list[str]
    workflowType: Required[WorkflowType]
    lambdaRole: str


class WorkflowExecutionCount(TypedDict, total=False):
    count: Required[int]
    truncated: bool


class WorkflowExecutionDetail(TypedDict, total=False):
    executionInfo: Required[WorkflowExecutionInfo]
    executionConfiguration: Required[WorkflowExecutionConfiguration]
    openCounts: Required[WorkflowExecutionOpenCounts]
    latestActivityTaskTimestamp: float | datetime
    latestExecutionContext: str


class WorkflowExecutionFailedEventAttributes(TypedDict, total=False):
    reason: str
    details: str
    decisionTaskCompletedEventId: Required[int]


class WorkflowExecutionFilter(TypedDict, total=False):
    workflowId: Required[str]


class WorkflowExecutionInfo(TypedDict, total=False):
    execution: Required[WorkflowExecution]
    workflowType: Required[WorkflowType]
    startTimestamp: Required[float | datetime]
    closeTimestamp: float | datetime
    executionStatus: Required[Literal['OPEN', 'CLOSED']]
    closeStatus: Literal['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT']
    parent: WorkflowExecution
    tagList: list[str]
    cancelRequested: bool


class WorkflowExecutionInfos(TypedDict, total=False):
    executionInfos: Required[list[WorkflowExecutionInfo]]
    nextPageToken: str


class WorkflowExecutionOpenCounts(TypedDict, total=False):
    openActivityTasks: Required[int]
    openDecisionTasks: Required[int]
    openTimers: Required[int]
    openChildWorkflowExecutions: Required[int]
    openLambdaFunctions: int


class WorkflowExecutionSignaledEventAttributes(TypedDict, total=False):
    signalName: Required[str]
    input: str
    externalWorkflowExecution: WorkflowExecution
    externalInitiatedEventId: int


class WorkflowExecutionStartedEventAttributes(TypedDict, total=False):
    input: str
    executionStartToCloseTimeout: str
    taskStartToCloseTimeout: str
    childPolicy: Required[Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']]
    taskList: Required[TaskList]
    taskPriority: str
    workflowType: Required[WorkflowType]
    tagList: list[str]
    continuedExecutionRunId: str
    parentWorkflowExecution: WorkflowExecution
    parentInitiatedEventId: int
    lambdaRole: str


class WorkflowExecutionTerminatedEventAttributes(TypedDict, total=False):
    reason: str
    details: str
    childPolicy: Required[Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']]
    cause: Literal['CHILD_POLICY_APPLIED', 'EVENT_LIMIT_EXCEEDED', 'OPERATOR_INITIATED']


class WorkflowExecutionTimedOutEventAttributes(TypedDict, total=False):
    timeoutType: Required[Literal['START_TO_CLOSE']]
    childPolicy: Required[Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']]


class WorkflowType(TypedDict, total=False):
    name: Required[str]
    version: Required[str]


class WorkflowTypeConfiguration(TypedDict, total=False):
    defaultTaskStartToCloseTimeout: str
    defaultExecutionStartToCloseTimeout: str
    defaultTaskList: TaskList
    defaultTaskPriority: str
    defaultChildPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON']
    defaultLambdaRole: str


class WorkflowTypeDetail(TypedDict, total=False):
    typeInfo: Required[WorkflowTypeInfo]
    configuration: Required[WorkflowTypeConfiguration]


class WorkflowTypeFilter(TypedDict, total=False):
    name: Required[str]
    version: str


class WorkflowTypeInfo(TypedDict, total=False):
    workflowType: Required[WorkflowType]
    status: Required[Literal['REGISTERED', 'DEPRECATED']]
    description: str
    creationDate: Required[float | datetime]
    deprecationDate: float | datetime


class WorkflowTypeInfos(TypedDict, total=False):
    typeInfos: Required[list[WorkflowTypeInfo]]
    nextPageToken: str


class SyncOperations:
    """One method per SWF operation; ``_call`` sends it."""

    def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def count_closed_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter | None = None, closeTimeFilter: ExecutionTimeFilter | None = None, executionFilter: WorkflowExecutionFilter | None = None, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, closeStatusFilter: CloseStatusFilter | None = None) -> WorkflowExecutionCount:
        return cast(WorkflowExecutionCount, self._call("CountClosedWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "closeTimeFilter": closeTimeFilter, "executionFilter": executionFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "closeStatusFilter": closeStatusFilter}))

    def count_open_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, executionFilter: WorkflowExecutionFilter | None = None) -> WorkflowExecutionCount:
        return cast(WorkflowExecutionCount, self._call("CountOpenWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "executionFilter": executionFilter}))

    def count_pending_activity_tasks(self, *, domain: str, taskList: TaskList) -> PendingTaskCount:
        return cast(PendingTaskCount, self._call("CountPendingActivityTasks", {"domain": domain, "taskList": taskList}))

    def count_pending_decision_tasks(self, *, domain: str, taskList: TaskList) -> PendingTaskCount:
        return cast(PendingTaskCount, self._call("CountPendingDecisionTasks", {"domain": domain, "taskList": taskList}))

    def delete_activity_type(self, *, domain: str, activityType: ActivityType) -> None:
        self._call("DeleteActivityType", {"domain": domain, "activityType": activityType})

    def delete_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> None:
        self._call("DeleteWorkflowType", {"domain": domain, "workflowType": workflowType})

    def deprecate_activity_type(self, *, domain: str, activityType: ActivityType) -> None:
        self._call("DeprecateActivityType", {"domain": domain, "activityType": activityType})

    def deprecate_domain(self, *, name: str) -> None:
        self._call("DeprecateDomain", {"name": name})

    def deprecate_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> None:
        self._call("DeprecateWorkflowType", {"domain": domain, "workflowType": workflowType})

    def describe_activity_type(self, *, domain: str, activityType: ActivityType) -> ActivityTypeDetail:
        return cast(ActivityTypeDetail, self._call("DescribeActivityType", {"domain": domain, "activityType": activityType}))

    def describe_domain(self, *, name: str) -> DomainDetail:
        return cast(DomainDetail, self._call("DescribeDomain", {"name": name}))

    def describe_workflow_execution(self, *, domain: str, execution: WorkflowExecution) -> WorkflowExecutionDetail:
        return cast(WorkflowExecutionDetail, self._call("DescribeWorkflowExecution", {"domain": domain, "execution": execution}))

    def describe_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> WorkflowTypeDetail:
        return cast(WorkflowTypeDetail, self._call("DescribeWorkflowType", {"domain": domain, "workflowType": workflowType}))

    def get_workflow_execution_history(self, *, domain: str, execution: WorkflowExecution, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> History:
        return cast(History, self._call("GetWorkflowExecutionHistory", {"domain": domain, "execution": execution, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    def list_activity_types(self, *, domain: str, registrationStatus: Literal['REGISTERED', 'DEPRECATED'], name: str | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> ActivityTypeInfos:
        return cast(ActivityTypeInfos, self._call("ListActivityTypes", {"domain": domain, "registrationStatus": registrationStatus, "name": name, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    def list_closed_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter | None = None, closeTimeFilter: ExecutionTimeFilter | None = None, executionFilter: WorkflowExecutionFilter | None = None, closeStatusFilter: CloseStatusFilter | None = None, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> WorkflowExecutionInfos:
        return cast(WorkflowExecutionInfos, self._call("ListClosedWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "closeTimeFilter": closeTimeFilter, "executionFilter": executionFilter, "closeStatusFilter": closeStatusFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    def list_domains(self, *, registrationStatus: Literal['REGISTERED', 'DEPRECATED'], nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> DomainInfos:
        return cast(DomainInfos, self._call("ListDomains", {"registrationStatus": registrationStatus, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    def list_open_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None, executionFilter: WorkflowExecutionFilter | None = None) -> WorkflowExecutionInfos:
        return cast(WorkflowExecutionInfos, self._call("ListOpenWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder, "executionFilter": executionFilter}))

    def list_tags_for_resource(self, *, resourceArn: str) -> ListTagsForResourceOutput:
        return cast(ListTagsForResourceOutput, self._call("ListTagsForResource", {"resourceArn": resourceArn}))

    def list_workflow_types(self, *, domain: str, registrationStatus: Literal['REGISTERED', 'DEPRECATED'], name: str | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> WorkflowTypeInfos:
        return cast(WorkflowTypeInfos, self._call("ListWorkflowTypes", {"domain": domain, "registrationStatus": registrationStatus, "name": name, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    def poll_for_activity_task(self, *, domain: str, taskList: TaskList, identity: str | None = None) -> ActivityTask:
        return cast(ActivityTask, self._call("PollForActivityTask", {"domain": domain, "taskList": taskList, "identity": identity}))

    def poll_for_decision_task(self, *, domain: str, taskList: TaskList, identity: str | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None, startAtPreviousStartedEvent: bool | None = None) -> DecisionTask:
        return cast(DecisionTask, self._call("PollForDecisionTask", {"domain": domain, "taskList": taskList, "identity": identity, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder, "startAtPreviousStartedEvent": startAtPreviousStartedEvent}))

    def record_activity_task_heartbeat(self, *, taskToken: str, details: str | None = None) -> ActivityTaskStatus:
        return cast(ActivityTaskStatus, self._call("RecordActivityTaskHeartbeat", {"taskToken": taskToken, "details": details}))

    def register_activity_type(self, *, domain: str, name: str, version: str, description: str | None = None, defaultTaskStartToCloseTimeout: str | None = None, defaultTaskHeartbeatTimeout: str | None = None, defaultTaskList: TaskList | None = None, defaultTaskPriority: str | None = None, defaultTaskScheduleToStartTimeout: str | None = None, defaultTaskScheduleToCloseTimeout: str | None = None) -> None:
        self._call("RegisterActivityType", {"domain": domain, "name": name, "version": version, "description": description, "defaultTaskStartToCloseTimeout": defaultTaskStartToCloseTimeout, "defaultTaskHeartbeatTimeout": defaultTaskHeartbeatTimeout, "defaultTaskList": defaultTaskList, "defaultTaskPriority": defaultTaskPriority, "defaultTaskScheduleToStartTimeout": defaultTaskScheduleToStartTimeout, "defaultTaskScheduleToCloseTimeout": defaultTaskScheduleToCloseTimeout})

    def register_domain(self, *, name: str, workflowExecutionRetentionPeriodInDays: str, description: str | None = None, tags: list[ResourceTag] | None = None) -> None:
        self._call("RegisterDomain", {"name": name, "workflowExecutionRetentionPeriodInDays": workflowExecutionRetentionPeriodInDays, "description": description, "tags": tags})

    def register_workflow_type(self, *, domain: str, name: str, version: str, description: str | None = None, defaultTaskStartToCloseTimeout: str | None = None, defaultExecutionStartToCloseTimeout: str | None = None, defaultTaskList: TaskList | None = None, defaultTaskPriority: str | None = None, defaultChildPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] | None = None, defaultLambdaRole: str | None = None) -> None:
        self._call("RegisterWorkflowType", {"domain": domain, "name": name, "version": version, "description": description, "defaultTaskStartToCloseTimeout": defaultTaskStartToCloseTimeout, "defaultExecutionStartToCloseTimeout": defaultExecutionStartToCloseTimeout, "defaultTaskList": defaultTaskList, "defaultTaskPriority": defaultTaskPriority, "defaultChildPolicy": defaultChildPolicy, "defaultLambdaRole": defaultLambdaRole})

    def request_cancel_workflow_execution(self, *, domain: str, workflowId: str, runId: str | None = None) -> None:
        self._call("RequestCancelWorkflowExecution", {"domain": domain, "workflowId": workflowId, "runId": runId})

    def respond_activity_task_canceled(self, *, taskToken: str, details: str | None = None) -> None:
        self._call("RespondActivityTaskCanceled", {"taskToken": taskToken, "details": details})

    def respond_activity_task_completed(self, *, taskToken: str, result: str | None = None) -> None:
        self._call("RespondActivityTaskCompleted", {"taskToken": taskToken, "result": result})

    def respond_activity_task_failed(self, *, taskToken: str, reason: str | None = None, details: str | None = None) -> None:
        self._call("RespondActivityTaskFailed", {"taskToken": taskToken, "reason": reason, "details": details})

    def respond_decision_task_completed(self, *, taskToken: str, decisions: list[Decision] | None = None, executionContext: str | None = None, taskList: TaskList | None = None, taskListScheduleToStartTimeout: str | None = None) -> None:
        self._call("RespondDecisionTaskCompleted", {"taskToken": taskToken, "decisions": decisions, "executionContext": executionContext, "taskList": taskList, "taskListScheduleToStartTimeout": taskListScheduleToStartTimeout})

    def signal_workflow_execution(self, *, domain: str, workflowId: str, signalName: str, runId: str | None = None, input: str | None = None) -> None:
        self._call("SignalWorkflowExecution", {"domain": domain, "workflowId": workflowId, "signalName": signalName, "runId": runId, "input": input})

    def start_workflow_execution(self, *, domain: str, workflowId: str, workflowType: WorkflowType, taskList: TaskList | None = None, taskPriority: str | None = None, input: str | None = None, executionStartToCloseTimeout: str | None = None, tagList: list[str] | None = None, taskStartToCloseTimeout: str | None = None, childPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] | None = None, lambdaRole: str | None = None) -> Run:
        return cast(Run, self._call("StartWorkflowExecution", {"domain": domain, "workflowId": workflowId, "workflowType": workflowType, "taskList": taskList, "taskPriority": taskPriority, "input": input, "executionStartToCloseTimeout": executionStartToCloseTimeout, "tagList": tagList, "taskStartToCloseTimeout": taskStartToCloseTimeout, "childPolicy": childPolicy, "lambdaRole": lambdaRole}))

    def tag_resource(self, *, resourceArn: str, tags: list[ResourceTag]) -> None:
        self._call("TagResource", {"resourceArn": resourceArn, "tags": tags})

    def terminate_workflow_execution(self, *, domain: str, workflowId: str, runId: str | None = None, reason: str | None = None, details: str | None = None, childPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] | None = None) -> None:
        self._call("TerminateWorkflowExecution", {"domain": domain, "workflowId": workflowId, "runId": runId, "reason": reason, "details": details, "childPolicy": childPolicy})

    def undeprecate_activity_type(self, *, domain: str, activityType: ActivityType) -> None:
        self._call("UndeprecateActivityType", {"domain": domain, "activityType": activityType})

    def undeprecate_domain(self, *, name: str) -> None:
        self._call("UndeprecateDomain", {"name": name})

    def undeprecate_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> None:
        self._call("UndeprecateWorkflowType", {"domain": domain, "workflowType": workflowType})

    def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> None:
        self._call("UntagResource", {"resourceArn": resourceArn, "tagKeys": tagKeys})


class AsyncOperations:
    """One coroutine per SWF operation; ``_acall`` sends it."""

    async def _acall(self, operation: str, params: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    async def count_closed_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter | None = None, closeTimeFilter: ExecutionTimeFilter | None = None, executionFilter: WorkflowExecutionFilter | None = None, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, closeStatusFilter: CloseStatusFilter | None = None) -> WorkflowExecutionCount:
        return cast(WorkflowExecutionCount, await self._acall("CountClosedWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "closeTimeFilter": closeTimeFilter, "executionFilter": executionFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "closeStatusFilter": closeStatusFilter}))

    async def count_open_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, executionFilter: WorkflowExecutionFilter | None = None) -> WorkflowExecutionCount:
        return cast(WorkflowExecutionCount, await self._acall("CountOpenWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "executionFilter": executionFilter}))

    async def count_pending_activity_tasks(self, *, domain: str, taskList: TaskList) -> PendingTaskCount:
        return cast(PendingTaskCount, await self._acall("CountPendingActivityTasks", {"domain": domain, "taskList": taskList}))

    async def count_pending_decision_tasks(self, *, domain: str, taskList: TaskList) -> PendingTaskCount:
        return cast(PendingTaskCount, await self._acall("CountPendingDecisionTasks", {"domain": domain, "taskList": taskList}))

    async def delete_activity_type(self, *, domain: str, activityType: ActivityType) -> None:
        await self._acall("DeleteActivityType", {"domain": domain, "activityType": activityType})

    async def delete_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> None:
        await self._acall("DeleteWorkflowType", {"domain": domain, "workflowType": workflowType})

    async def deprecate_activity_type(self, *, domain: str, activityType: ActivityType) -> None:
        await self._acall("DeprecateActivityType", {"domain": domain, "activityType": activityType})

    async def deprecate_domain(self, *, name: str) -> None:
        await self._acall("DeprecateDomain", {"name": name})

    async def deprecate_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> None:
        await self._acall("DeprecateWorkflowType", {"domain": domain, "workflowType": workflowType})

    async def describe_activity_type(self, *, domain: str, activityType: ActivityType) -> ActivityTypeDetail:
        return cast(ActivityTypeDetail, await self._acall("DescribeActivityType", {"domain": domain, "activityType": activityType}))

    async def describe_domain(self, *, name: str) -> DomainDetail:
        return cast(DomainDetail, await self._acall("DescribeDomain", {"name": name}))

    async def describe_workflow_execution(self, *, domain: str, execution: WorkflowExecution) -> WorkflowExecutionDetail:
        return cast(WorkflowExecutionDetail, await self._acall("DescribeWorkflowExecution", {"domain": domain, "execution": execution}))

    async def describe_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> WorkflowTypeDetail:
        return cast(WorkflowTypeDetail, await self._acall("DescribeWorkflowType", {"domain": domain, "workflowType": workflowType}))

    async def get_workflow_execution_history(self, *, domain: str, execution: WorkflowExecution, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> History:
        return cast(History, await self._acall("GetWorkflowExecutionHistory", {"domain": domain, "execution": execution, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    async def list_activity_types(self, *, domain: str, registrationStatus: Literal['REGISTERED', 'DEPRECATED'], name: str | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> ActivityTypeInfos:
        return cast(ActivityTypeInfos, await self._acall("ListActivityTypes", {"domain": domain, "registrationStatus": registrationStatus, "name": name, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    async def list_closed_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter | None = None, closeTimeFilter: ExecutionTimeFilter | None = None, executionFilter: WorkflowExecutionFilter | None = None, closeStatusFilter: CloseStatusFilter | None = None, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> WorkflowExecutionInfos:
        return cast(WorkflowExecutionInfos, await self._acall("ListClosedWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "closeTimeFilter": closeTimeFilter, "executionFilter": executionFilter, "closeStatusFilter": closeStatusFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    async def list_domains(self, *, registrationStatus: Literal['REGISTERED', 'DEPRECATED'], nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> DomainInfos:
        return cast(DomainInfos, await self._acall("ListDomains", {"registrationStatus": registrationStatus, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    async def list_open_workflow_executions(self, *, domain: str, startTimeFilter: ExecutionTimeFilter, typeFilter: WorkflowTypeFilter | None = None, tagFilter: TagFilter | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None, executionFilter: WorkflowExecutionFilter | None = None) -> WorkflowExecutionInfos:
        return cast(WorkflowExecutionInfos, await self._acall("ListOpenWorkflowExecutions", {"domain": domain, "startTimeFilter": startTimeFilter, "typeFilter": typeFilter, "tagFilter": tagFilter, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder, "executionFilter": executionFilter}))

    async def list_tags_for_resource(self, *, resourceArn: str) -> ListTagsForResourceOutput:
        return cast(ListTagsForResourceOutput, await self._acall("ListTagsForResource", {"resourceArn": resourceArn}))

    async def list_workflow_types(self, *, domain: str, registrationStatus: Literal['REGISTERED', 'DEPRECATED'], name: str | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None) -> WorkflowTypeInfos:
        return cast(WorkflowTypeInfos, await self._acall("ListWorkflowTypes", {"domain": domain, "registrationStatus": registrationStatus, "name": name, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder}))

    async def poll_for_activity_task(self, *, domain: str, taskList: TaskList, identity: str | None = None) -> ActivityTask:
        return cast(ActivityTask, await self._acall("PollForActivityTask", {"domain": domain, "taskList": taskList, "identity": identity}))

    async def poll_for_decision_task(self, *, domain: str, taskList: TaskList, identity: str | None = None, nextPageToken: str | None = None, maximumPageSize: int | None = None, reverseOrder: bool | None = None, startAtPreviousStartedEvent: bool | None = None) -> DecisionTask:
        return cast(DecisionTask, await self._acall("PollForDecisionTask", {"domain": domain, "taskList": taskList, "identity": identity, "nextPageToken": nextPageToken, "maximumPageSize": maximumPageSize, "reverseOrder": reverseOrder, "startAtPreviousStartedEvent": startAtPreviousStartedEvent}))

    async def record_activity_task_heartbeat(self, *, taskToken: str, details: str | None = None) -> ActivityTaskStatus:
        return cast(ActivityTaskStatus, await self._acall("RecordActivityTaskHeartbeat", {"taskToken": taskToken, "details": details}))

    async def register_activity_type(self, *, domain: str, name: str, version: str, description: str | None = None, defaultTaskStartToCloseTimeout: str | None = None, defaultTaskHeartbeatTimeout: str | None = None, defaultTaskList: TaskList | None = None, defaultTaskPriority: str | None = None, defaultTaskScheduleToStartTimeout: str | None = None, defaultTaskScheduleToCloseTimeout: str | None = None) -> None:
        await self._acall("RegisterActivityType", {"domain": domain, "name": name, "version": version, "description": description, "defaultTaskStartToCloseTimeout": defaultTaskStartToCloseTimeout, "defaultTaskHeartbeatTimeout": defaultTaskHeartbeatTimeout, "defaultTaskList": defaultTaskList, "defaultTaskPriority": defaultTaskPriority, "defaultTaskScheduleToStartTimeout": defaultTaskScheduleToStartTimeout, "defaultTaskScheduleToCloseTimeout": defaultTaskScheduleToCloseTimeout})

    async def register_domain(self, *, name: str, workflowExecutionRetentionPeriodInDays: str, description: str | None = None, tags: list[ResourceTag] | None = None) -> None:
        await self._acall("RegisterDomain", {"name": name, "workflowExecutionRetentionPeriodInDays": workflowExecutionRetentionPeriodInDays, "description": description, "tags": tags})

    async def register_workflow_type(self, *, domain: str, name: str, version: str, description: str | None = None, defaultTaskStartToCloseTimeout: str | None = None, defaultExecutionStartToCloseTimeout: str | None = None, defaultTaskList: TaskList | None = None, defaultTaskPriority: str | None = None, defaultChildPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] | None = None, defaultLambdaRole: str | None = None) -> None:
        await self._acall("RegisterWorkflowType", {"domain": domain, "name": name, "version": version, "description": description, "defaultTaskStartToCloseTimeout": defaultTaskStartToCloseTimeout, "defaultExecutionStartToCloseTimeout": defaultExecutionStartToCloseTimeout, "defaultTaskList": defaultTaskList, "defaultTaskPriority": defaultTaskPriority, "defaultChildPolicy": defaultChildPolicy, "defaultLambdaRole": defaultLambdaRole})

    async def request_cancel_workflow_execution(self, *, domain: str, workflowId: str, runId: str | None = None) -> None:
        await self._acall("RequestCancelWorkflowExecution", {"domain": domain, "workflowId": workflowId, "runId": runId})

    async def respond_activity_task_canceled(self, *, taskToken: str, details: str | None = None) -> None:
        await self._acall("RespondActivityTaskCanceled", {"taskToken": taskToken, "details": details})

    async def respond_activity_task_completed(self, *, taskToken: str, result: str | None = None) -> None:
        await self._acall("RespondActivityTaskCompleted", {"taskToken": taskToken, "result": result})

    async def respond_activity_task_failed(self, *, taskToken: str, reason: str | None = None, details: str | None = None) -> None:
        await self._acall("RespondActivityTaskFailed", {"taskToken": taskToken, "reason": reason, "details": details})

    async def respond_decision_task_completed(self, *, taskToken: str, decisions: list[Decision] | None = None, executionContext: str | None = None, taskList: TaskList | None = None, taskListScheduleToStartTimeout: str | None = None) -> None:
        await self._acall("RespondDecisionTaskCompleted", {"taskToken": taskToken, "decisions": decisions, "executionContext": executionContext, "taskList": taskList, "taskListScheduleToStartTimeout": taskListScheduleToStartTimeout})

    async def signal_workflow_execution(self, *, domain: str, workflowId: str, signalName: str, runId: str | None = None, input: str | None = None) -> None:
        await self._acall("SignalWorkflowExecution", {"domain": domain, "workflowId": workflowId, "signalName": signalName, "runId": runId, "input": input})

    async def start_workflow_execution(self, *, domain: str, workflowId: str, workflowType: WorkflowType, taskList: TaskList | None = None, taskPriority: str | None = None, input: str | None = None, executionStartToCloseTimeout: str | None = None, tagList: list[str] | None = None, taskStartToCloseTimeout: str | None = None, childPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] | None = None, lambdaRole: str | None = None) -> Run:
        return cast(Run, await self._acall("StartWorkflowExecution", {"domain": domain, "workflowId": workflowId, "workflowType": workflowType, "taskList": taskList, "taskPriority": taskPriority, "input": input, "executionStartToCloseTimeout": executionStartToCloseTimeout, "tagList": tagList, "taskStartToCloseTimeout": taskStartToCloseTimeout, "childPolicy": childPolicy, "lambdaRole": lambdaRole}))

    async def tag_resource(self, *, resourceArn: str, tags: list[ResourceTag]) -> None:
        await self._acall("TagResource", {"resourceArn": resourceArn, "tags": tags})

    async def terminate_workflow_execution(self, *, domain: str, workflowId: str, runId: str | None = None, reason: str | None = None, details: str | None = None, childPolicy: Literal['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] | None = None) -> None:
        await self._acall("TerminateWorkflowExecution", {"domain": domain, "workflowId": workflowId, "runId": runId, "reason": reason, "details": details, "childPolicy": childPolicy})

    async def undeprecate_activity_type(self, *, domain: str, activityType: ActivityType) -> None:
        await self._acall("UndeprecateActivityType", {"domain": domain, "activityType": activityType})

    async def undeprecate_domain(self, *, name: str) -> None:
        await self._acall("UndeprecateDomain", {"name": name})

    async def undeprecate_workflow_type(self, *, domain: str, workflowType: WorkflowType) -> None:
        await self._acall("UndeprecateWorkflowType", {"domain": domain, "workflowType": workflowType})

    async def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> None:
        await self._acall("UntagResource", {"resourceArn": resourceArn, "tagKeys": tagKeys})
