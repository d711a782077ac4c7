from typing import Annotated

from fastapi import Depends, Request

from surveylink.webhooks.secrets import SecretBox


def get_secret_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
