"""``attrdb serve``: a read-only local web explorer of an attrdb database (docs/explorer.md).

Pages link words, units, images, scopes and models; each is a query over the documented
views (``sql/explorer/*.sql``), read through a sandboxed read-only connection opened per
request (or the published snapshot while a stage writes). Starlette, uvicorn and Jinja2
are imported only when the explorer is used, so ``attrdb --help`` stays instant.
"""

from __future__ import annotations
