"""Domains and types: registration, description, listing, deprecation."""

from __future__ import annotations

import time
from typing import Any

from openswf.protocol import faults
from openswf.services.clock import Clock
from openswf.services.context import RequestContext
from openswf.services.paging import Pager, page_size
from openswf.services.settings import Settings
from openswf.services.wire import seconds, without_none
from openswf.storage.base import Store
from openswf.storage.records import DomainRecord, DuplicateKey, TypeRecord

MAX_DOMAIN_TAGS = 50

# Per kind: (request member naming the type, wire name, registration defaults).
KINDS = {
    "workflow": (
        "workflowType",
        "WorkflowType",
        (
            "defaultTaskStartToCloseTimeout",
            "defaultExecutionStartToCloseTimeout",
            "defaultTaskList",
            "defaultTaskPriority",
            "defaultChildPolicy",
            "defaultLambdaRole",
        ),
    ),
    "activity": (
        "activityType",
        "ActivityType",
        (
            "defaultTaskStartToCloseTimeout",
            "defaultTaskHeartbeatTimeout",
            "defaultTaskList",
            "defaultTaskPriority",
            "defaultTaskScheduleToStartTimeout",
            "defaultTaskScheduleToCloseTimeout",
        ),
    ),
}


def type_label(kind: str, name: str, version: str) -> str:
    return f"{KINDS[kind][1]}=[name={name}, version={version}]"


class RegistryService:
    def __init__(self, store: Store, clock: Clock, settings: Settings, pager: Pager) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._pager = pager
        # Domains are read on every request and change rarely. With a store of its own the
        # cache is exact (every change goes through here); with a shared store other
        # servers may deprecate a domain, so entries expire.
        self._domains: dict[tuple[str, str], tuple[DomainRecord, float]] = {}
        self._domain_ttl_s = 2.0 if store.shared else float("inf")

    def arn(self, domain: DomainRecord) -> str:
        return f"arn:aws:swf:{domain.region}:{self._settings.account_id}:/domain/{domain.name}"

    def domain_names(self) -> dict[int, str]:
        """Names of the domains requests used lately, by id (for metrics labels)."""
        return {record.id: record.name for record, _at in self._domains.values()}

    async def domain(self, ctx: RequestContext, name: str) -> DomainRecord:
        key = (ctx.region, name)
        cached = self._domains.get(key)
        if cached is not None and time.monotonic() - cached[1] < self._domain_ttl_s:
            return cached[0]
        domain = await self._store.get_domain(ctx.region, name)
        if domain is None:
            raise faults.UnknownResourceFault(f"Unknown domain: {name}")
        self._domains[key] = (domain, time.monotonic())
        return domain

    async def _set_domain_status(self, domain: DomainRecord, status: str) -> None:
        await self._store.set_domain_status(domain.id, status, self._clock.now_ms())
        self._domains.pop((domain.region, domain.name), None)

    async def type(self, domain: DomainRecord, kind: str, ref: dict[str, str]) -> TypeRecord:
        record = await self._store.get_type(domain.id, kind, ref["name"], ref["version"])
        if record is None:
            raise faults.UnknownResourceFault(
                "Unknown type: " + type_label(kind, ref["name"], ref["version"])
            )
        return record

    # --- domains --------------------------------------------------------------------------

    async def register_domain(self, req: dict[str, Any], ctx: RequestContext) -> None:
        tags = [(tag["key"], tag.get("value", "")) for tag in req.get("tags", [])]
        if len(tags) > MAX_DOMAIN_TAGS:
            raise faults.TooManyTagsFault(f"A domain may have at most {MAX_DOMAIN_TAGS} tags")
        if await self._store.count_domains(ctx.region) >= self._settings.max_domains:
            raise faults.LimitExceededFault(f"Domain limit of {self._settings.max_domains} reached")
        try:
            await self._store.insert_domain(
                region=ctx.region,
                name=req["name"],
                description=req.get("description"),
                retention_days=req["workflowExecutionRetentionPeriodInDays"],
                created_ms=self._clock.now_ms(),
                tags=tags,
            )
        except DuplicateKey as error:
            raise faults.DomainAlreadyExistsFault(req["name"]) from error

    def _domain_info(self, domain: DomainRecord) -> dict[str, Any]:
        return without_none(
            name=domain.name,
            status=domain.status,
            description=domain.description,
            arn=self.arn(domain),
        )

    async def describe_domain(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        domain = await self.domain(ctx, req["name"])
        return {
            "domainInfo": self._domain_info(domain),
            "configuration": {"workflowExecutionRetentionPeriodInDays": domain.retention_days},
        }

    async def list_domains(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        now = self._clock.now_ms()
        after = self._pager.position(req, "domains", now)
        limit = page_size(req)
        reverse = bool(req.get("reverseOrder"))
        rows = await self._store.list_domains(
            ctx.region, req["registrationStatus"], after=after, limit=limit + 1, reverse=reverse
        )
        result: dict[str, Any] = {"domainInfos": [self._domain_info(d) for d in rows[:limit]]}
        if len(rows) > limit:
            result["nextPageToken"] = self._pager.token("domains", rows[limit - 1].name, now)
        return result

    async def deprecate_domain(self, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self.domain(ctx, req["name"])
        if domain.status == "DEPRECATED":
            raise faults.DomainDeprecatedFault(domain.name)
        await self._set_domain_status(domain, "DEPRECATED")

    async def undeprecate_domain(self, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self.domain(ctx, req["name"])
        if domain.status == "REGISTERED":
            raise faults.DomainAlreadyExistsFault(domain.name)
        await self._set_domain_status(domain, "REGISTERED")

    # --- resource tags (domains are the only taggable resource) ---------------------------

    async def _domain_of_arn(self, ctx: RequestContext, arn: str) -> DomainRecord:
        prefix, sep, name = arn.partition(":/domain/")
        parts = prefix.split(":")
        if (
            not sep
            or len(parts) != 5
            or parts[:3] != ["arn", "aws", "swf"]
            or parts[4] != self._settings.account_id
        ):
            raise faults.UnknownResourceFault(f"Unknown resource: {arn}")
        domain = await self._store.get_domain(parts[3], name)
        if domain is None:
            raise faults.UnknownResourceFault(f"Unknown resource: {arn}")
        return domain

    async def tag_resource(self, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self._domain_of_arn(ctx, req["resourceArn"])
        tags = [(tag["key"], tag.get("value", "")) for tag in req["tags"]]
        if not await self._store.tag_domain(domain.id, tags, MAX_DOMAIN_TAGS):
            raise faults.TooManyTagsFault(f"A domain may have at most {MAX_DOMAIN_TAGS} tags")

    async def untag_resource(self, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self._domain_of_arn(ctx, req["resourceArn"])
        await self._store.untag_domain(domain.id, list(req["tagKeys"]))

    async def list_tags(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        domain = await self._domain_of_arn(ctx, req["resourceArn"])
        tags = await self._store.list_domain_tags(domain.id)
        return {"tags": [{"key": key, "value": value} for key, value in tags]}

    # --- types ----------------------------------------------------------------------------

    async def register_type(self, kind: str, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self.domain(ctx, req["domain"])
        if domain.status != "REGISTERED":
            raise faults.DomainDeprecatedFault(f"Domain is deprecated: {domain.name}")
        if await self._store.count_types(domain.id, kind) >= self._settings.max_types_per_domain:
            raise faults.LimitExceededFault(
                f"Type limit of {self._settings.max_types_per_domain} reached"
            )
        configuration = {key: req[key] for key in KINDS[kind][2] if key in req}
        record = TypeRecord(
            domain_id=domain.id,
            kind=kind,
            name=req["name"],
            version=req["version"],
            status="REGISTERED",
            description=req.get("description"),
            configuration=configuration,
            created_ms=self._clock.now_ms(),
        )
        try:
            await self._store.insert_type(record)
        except DuplicateKey as error:
            raise faults.TypeAlreadyExistsFault(
                type_label(kind, req["name"], req["version"])
            ) from error

    def _type_info(self, record: TypeRecord) -> dict[str, Any]:
        info: dict[str, Any] = {
            KINDS[record.kind][0]: {"name": record.name, "version": record.version},
            "status": record.status,
        }
        if record.description is not None:
            info["description"] = record.description
        info["creationDate"] = seconds(record.created_ms)
        if record.deprecated_ms is not None and record.status == "DEPRECATED":
            info["deprecationDate"] = seconds(record.deprecated_ms)
        return info

    async def describe_type(
        self, kind: str, req: dict[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        domain = await self.domain(ctx, req["domain"])
        record = await self.type(domain, kind, req[KINDS[kind][0]])
        return {"typeInfo": self._type_info(record), "configuration": record.configuration}

    async def list_types(
        self, kind: str, req: dict[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        domain = await self.domain(ctx, req["domain"])
        now = self._clock.now_ms()
        scope = kind + "-types"
        after = self._pager.position(req, scope, now)
        limit = page_size(req)
        rows = await self._store.list_types(
            domain.id,
            kind,
            req["registrationStatus"],
            name=req.get("name"),
            after=tuple(after) if after else None,
            limit=limit + 1,
            reverse=bool(req.get("reverseOrder")),
        )
        result: dict[str, Any] = {"typeInfos": [self._type_info(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            result["nextPageToken"] = self._pager.token(scope, [last.name, last.version], now)
        return result

    async def deprecate_type(self, kind: str, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self.domain(ctx, req["domain"])
        record = await self.type(domain, kind, req[KINDS[kind][0]])
        if record.status == "DEPRECATED":
            raise faults.TypeDeprecatedFault(type_label(kind, record.name, record.version))
        await self._store.set_type_status(
            domain.id, kind, record.name, record.version, "DEPRECATED", self._clock.now_ms()
        )

    async def undeprecate_type(self, kind: str, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self.domain(ctx, req["domain"])
        record = await self.type(domain, kind, req[KINDS[kind][0]])
        if record.status == "REGISTERED":
            raise faults.TypeAlreadyExistsFault(type_label(kind, record.name, record.version))
        await self._store.set_type_status(
            domain.id, kind, record.name, record.version, "REGISTERED", None
        )

    async def delete_type(self, kind: str, req: dict[str, Any], ctx: RequestContext) -> None:
        domain = await self.domain(ctx, req["domain"])
        record = await self.type(domain, kind, req[KINDS[kind][0]])
        if record.status != "DEPRECATED":
            raise faults.TypeNotDeprecatedFault(
                "The type is currently registered and cannot be deleted in its current state"
            )
        await self._store.delete_type(domain.id, kind, record.name, record.version)
