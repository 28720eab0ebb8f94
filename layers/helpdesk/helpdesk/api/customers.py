"""Customer routes: list (by name), detail with their tickets, create, edit."""

from __future__ import annotations

from ..domain.status import Status
from ..services.customers import get_customer, list_customers, save_customer
from ..store.listing import TicketFilter, customer_tickets_seen, list_tickets
from ..store.models import CustomerItem
from .context import Services
from .routing import Api, Ctx
from .schemas import CustomerDetail, CustomerIn, CustomerList, CustomerOut, CustomerPatch, CustomerQuery
from .tickets import shown


def customer_out(c: CustomerItem, ctx: Ctx | None = None, services: Services | None = None) -> CustomerOut:
    """The customer; with the request (``ctx``), its ticket count and newest ticket as the caller may see
    them (admins: the team's counters; agents: :func:`customer_tickets_seen`)."""
    ticket_count: int = int(c.ticket_count or 0)
    last_ticket_at: str | None = c.last_ticket_at
    if ctx is not None and services is not None and not ctx.viewer.is_admin and ticket_count:
        user = ctx.user
        hidden = services.config.snapshot().hidden_queues(user.username, user.is_admin)
        ticket_count, last_ticket_at = customer_tickets_seen(c.email, hidden, user.username)
    return CustomerOut(
        email=c.email,
        name=c.name,
        company=c.company,
        phone=c.phone,
        notes=c.notes,
        external_id=c.external_id,
        ticket_count=ticket_count,
        last_ticket_at=last_ticket_at,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def register(api: Api, services: Services) -> None:
    @api.route(
        "/customers",
        query=CustomerQuery,
        response=CustomerList,
        tags=("customers",),
        summary="Customers sorted by name; q finds them by any part of name, address, company, number, phone",
        errors=(400, 401, 403),
    )
    def index(ctx: Ctx) -> CustomerList:
        q: CustomerQuery = ctx.query
        page = list_customers(q.q, q.limit, q.cursor)
        return CustomerList(items=[customer_out(c, ctx, services) for c in page.items], cursor=page.cursor)

    @api.route(
        "/customers",
        "POST",
        body=CustomerIn,
        response=CustomerOut,
        status=201,
        tags=("customers",),
        summary="Create a customer",
        errors=(400, 401, 403),
    )
    def create(ctx: Ctx) -> CustomerOut:
        b: CustomerIn = ctx.body
        return customer_out(
            save_customer(
                b.email,
                name=b.name,
                company=b.company,
                phone=b.phone,
                notes=b.notes,
                external_id=b.external_id,
                create=True,
            ),
            ctx,
            services,
        )

    @api.route(
        "/customers/{email}",
        response=CustomerDetail,
        tags=("customers",),
        summary="A customer with their tickets (every status, newest first)",
        errors=(401, 403, 404),
    )
    def detail(ctx: Ctx, email: str) -> CustomerDetail:
        customer = get_customer(email)
        cfg = services.config.snapshot()
        user = ctx.user
        page = list_tickets(
            TicketFilter(
                statuses=list(Status),
                customer=customer.email,
                viewer=user.username,
                viewer_is_admin=user.is_admin,
                hidden_queues=cfg.hidden_queues(user.username, user.is_admin),
            ),
            limit=100,
        )
        return CustomerDetail(
            **customer_out(customer, ctx, services).model_dump(), tickets=shown(ctx, services, page.items)
        )

    @api.route(
        "/customers/{email}",
        "PATCH",
        body=CustomerPatch,
        response=CustomerOut,
        tags=("customers",),
        summary="Edit a customer",
        errors=(400, 401, 403, 404),
    )
    def edit(ctx: Ctx, email: str) -> CustomerOut:
        b: CustomerPatch = ctx.body
        return customer_out(
            save_customer(
                email,
                name=b.name,
                company=b.company,
                phone=b.phone,
                notes=b.notes,
                external_id=b.external_id,
                create=False,
            ),
            ctx,
            services,
        )
