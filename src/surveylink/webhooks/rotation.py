"""Re-sealing stored webhook secrets when ENCRYPTION_KEY changes (`surveylink keys …`)."""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.webhooks import repository
from surveylink.webhooks.secrets import SecretBox

_PAGE = 500


@dataclass
class Resealed:
    count: int = 0
    unreadable: list[str] = field(default_factory=list)  # ids no configured key opens


async def reseal_secrets(
    session: AsyncSession, opener: SecretBox, sealer: SecretBox, *, every_key: bool
) -> Resealed:
    """Opens each stored secret with `opener` and seals it again with `sealer`: with its
    current key only, or (`every_key`) once per key it holds. Unreadable secrets are left as
    they are and reported."""
    result = Resealed()
    after = ""
    while True:
        page = await repository.list_sealed_secrets(session, after, _PAGE)
        if not page:
            return result
        resealed: dict[str, str] = {}
        for webhook_id, sealed in page:
            plain = opener.open(webhook_id, sealed)
            if plain is None:
                result.unreadable.append(webhook_id)
            elif every_key:
                resealed[webhook_id] = sealer.seal_with_every_key(webhook_id, plain)
            else:
                resealed[webhook_id] = sealer.seal(webhook_id, plain)
        await repository.set_secrets(session, resealed)
        result.count += len(resealed)
        after = page[-1][0]
