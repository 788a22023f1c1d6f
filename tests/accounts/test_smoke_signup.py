import re

from django.core import mail

from accounts.models import User

from .conftest import STRONG_PASSWORD


def test_full_flow(client, signed_up, sms_outbox, db):
    response = client.post("/accounts/signup/otp/", {"token": signed_up})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/accounts/signup/done/"
    assert client.get("/accounts/signup/done/").status_code == 200
    link = re.search(r"http://\S+/accounts/activate/\w+/", mail.outbox[-1].body).group(0)
    path = link.split("8000")[-1]
    response = client.get(path)
    assert response.status_code == 200
    response = client.post(
        path, {"secret_phrase": "kucing oren", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.is_active
    response = client.post("/accounts/login/", {"ic_number": "900101145567"})
    assert response.status_code == 302
    response = client.get("/accounts/login/password/")
    assert "kucing oren" in response.content.decode()
    response = client.post("/accounts/login/password/", {"password": STRONG_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.get(response["Location"])
    assert "One Account" in response.content.decode()
