from typing import Annotated

from fastapi import Depends, Request

from surveylink.links.tokens import LinkKeys


def get_link_keys(request: Request) -> LinkKeys:
    keys: LinkKeys = request.app.state.link_keys
    return keys


LinkKeysDep = Annotated[LinkKeys, Depends(get_link_keys)]
