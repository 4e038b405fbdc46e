import pytest

from tests.works.builders import PATH_TO, make_work


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(PATH_TO))
def test_make_work_reaches_each_status_through_updates(status):
    work = make_work(status=status)
    assert work.status == status
    assert work.updates.count() == 1 + len(PATH_TO[status])
    assert list(work.updates.values_list("status", flat=True))[-1] == status
