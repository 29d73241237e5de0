import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Street
from community.models import Alley, Steward


@pytest.fixture
def longtan(demo):
    return Street.objects.get(name="龙潭街道")


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


@pytest.fixture
def steward(demo):
    """steward_longtan: a resident steward of 龙潭街道 looking after 夕照寺街 (led by
    street_longtan) and 板厂南里胡同 (led by chief_longtan)."""
    return Steward.objects.get(user__username="steward_longtan")


@pytest.fixture
def officials_alley(longtan):
    return Alley.objects.get(street=longtan, name="夕照寺街")


@pytest.fixture
def chiefs_alley(longtan):
    return Alley.objects.get(street=longtan, name="板厂南里胡同")


def png(name="p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def not_an_image():
    return SimpleUploadedFile("x.png", b"not an image", "image/png")
