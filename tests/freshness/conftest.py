from tests.staff.conftest import administrator_client, editor_client, make_staff  # noqa: F401
