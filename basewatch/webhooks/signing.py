"""Standard Webhooks signatures (https://www.standardwebhooks.com/): what a receiver checks.

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the signature is its
HMAC-SHA256 under the secret (base64 after `whsec_`), sent in base64 as `v1,<signature>`.
Written here from the specification; the tests verify it with the `standardwebhooks`
package, the receivers' reference implementation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from basewatch.webhooks.models import SECRET_PREFIX


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    content = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
