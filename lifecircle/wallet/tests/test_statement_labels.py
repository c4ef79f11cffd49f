"""The statement names money's other side as a person reads it: every red-packet pool shard
is "Red packets", in the reader's language."""

import pytest
from django.utils import translation

from lifecircle.core.testing.factories import fund_wallet, make_user
from lifecircle.wallet.models import EntryKind
from lifecircle.wallet.selectors import statement_for_viewer
from lifecircle.wallet.services import Leg, entry_post, system_account, wallet_account_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Red packets"), ("zh-hans", "红包"), ("zh-hant", "紅包")]
)
def test_a_sharded_red_packet_pool_reads_as_red_packets(language, label):
    user = make_user("rp_reader")
    fund_wallet(user, 500)
    entry_post(
        kind=EntryKind.RED_PACKET,
        legs=[Leg(wallet_account_for(user), -200), Leg(system_account("red_packet_pool_07"), 200)],
    )
    with translation.override(language):
        line = statement_for_viewer(viewer=user).lines[0]
        assert line.amount_fen == -200 and str(line.counterparty) == label
