"""Every error the SWF API can answer with, in one place.

Only the server's dispatch turns a fault into JSON; everything below it raises these.
The wire form is ``{"__type": <type>, "message": <message>}`` with HTTP status ``status``.
"""

from __future__ import annotations

SWF_NAMESPACE = "com.amazonaws.swf.base.model#"


class SwfError(Exception):
    """Base of every error answered on the wire."""

    type_name: str = "InternalFailure"
    namespace: str = "com.amazon.coral.service#"
    status: int = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    @property
    def wire_type(self) -> str:
        return self.namespace + self.type_name


# --- modeled SWF faults -------------------------------------------------------------------


class SwfFault(SwfError):
    namespace = SWF_NAMESPACE


class UnknownResourceFault(SwfFault):
    type_name = "UnknownResourceFault"


class DomainAlreadyExistsFault(SwfFault):
    type_name = "DomainAlreadyExistsFault"


class DomainDeprecatedFault(SwfFault):
    type_name = "DomainDeprecatedFault"


class TypeAlreadyExistsFault(SwfFault):
    type_name = "TypeAlreadyExistsFault"


class TypeDeprecatedFault(SwfFault):
    type_name = "TypeDeprecatedFault"


class TypeNotDeprecatedFault(SwfFault):
    type_name = "TypeNotDeprecatedFault"


class WorkflowExecutionAlreadyStartedFault(SwfFault):
    type_name = "WorkflowExecutionAlreadyStartedFault"


class DefaultUndefinedFault(SwfFault):
    type_name = "DefaultUndefinedFault"


class LimitExceededFault(SwfFault):
    type_name = "LimitExceededFault"


class OperationNotPermittedFault(SwfFault):
    type_name = "OperationNotPermittedFault"


class TooManyTagsFault(SwfFault):
    type_name = "TooManyTagsFault"


# --- coral (unmodeled) errors -------------------------------------------------------------


class ValidationException(SwfError):
    """A request that breaks a constraint of the model or a documented rule."""

    type_name = "ValidationException"
    namespace = "com.amazon.coral.validate#"

    @classmethod
    def from_problems(cls, problems: list[str]) -> ValidationException:
        """Join constraint problems in coral's wording: ``N validation error(s) detected: ...``."""
        noun = "error" if len(problems) == 1 else "errors"
        return cls(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))


class SerializationException(SwfError):
    type_name = "SerializationException"


class UnknownOperationException(SwfError):
    type_name = "UnknownOperationException"


class MissingAuthenticationTokenException(SwfError):
    type_name = "MissingAuthenticationTokenException"
    status = 403


class IncompleteSignatureException(SwfError):
    type_name = "IncompleteSignatureException"


# Authentication and access, as coral answers them on AWS JSON 1.0 services (SWF, DynamoDB):
# an unknown key, a bad or expired signature and a denied call are 400s; only a request with
# no credentials at all is a 403 (the AWS common errors list).


class UnrecognizedClientException(SwfError):
    """An access key the server does not know."""

    type_name = "UnrecognizedClientException"


class InvalidSignatureException(SwfError):
    """A signature that does not match, a wrong credential scope, or a date too far off."""

    type_name = "InvalidSignatureException"


class AccessDeniedException(SwfError):
    """A known, correctly signed key that may not use this operation or domain."""

    type_name = "AccessDeniedException"


class ThrottlingException(SwfError):
    type_name = "ThrottlingException"
    namespace = "com.amazon.coral.availability#"


class InternalFailure(SwfError):
    type_name = "InternalFailure"
    status = 500


class ServiceUnavailable(SwfError):
    type_name = "ServiceUnavailable"
    namespace = ""
    status = 503
