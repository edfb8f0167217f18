"""The Standard Webhooks rules: the signature, the addresses a delivery may go to, the
retry schedule, the events on offer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.rules import webhooks as rules


def test_the_signature_matches_the_specification_s_example() -> None:
    # The example of the Standard Webhooks specification's reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signed = rules.signature(
        secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}'
    )
    assert signed == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_new_secret_is_24_random_bytes_behind_the_prefix() -> None:
    one, two = rules.new_secret(), rules.new_secret()
    assert one.startswith("whsec_") and len(rules.secret_key(one)) == 24 and one != two


@pytest.mark.parametrize(
    ("url", "loopback_allowed", "problem"),
    [
        ("https://hooks.example.com/concord", False, None),
        ("https://hooks.example.com:8443/x?y=1", False, None),
        ("http://hooks.example.com/concord", True, "https_required"),
        ("http://127.0.0.1:8080/hook", True, None),
        ("http://[::1]:8080/hook", True, None),
        ("http://localhost/hook", True, None),
        ("http://127.0.0.1:8080/hook", False, "https_required"),
        ("http://10.0.0.5/hook", True, "https_required"),
        ("ftp://127.0.0.1/hook", True, "https_required"),
        ("https://user:secret@hooks.example.com/", False, "url_invalid"),
        ("https:///nohost", False, "url_invalid"),
        ("https://hooks.example.com:99999/", False, "url_invalid"),
        ("https://hooks.example.com/a b", False, "url_invalid"),
        ("https://hooks.example.com/#frag", False, "url_invalid"),
        ("https://hooks.example.com/" + "a" * 500, False, "url_invalid"),
        ("", True, "url_required"),
        ("https://10.0.0.5/hook", False, "address_not_public"),
        ("https://169.254.169.254/latest", False, "address_not_public"),
        ("https://127.0.0.1/hook", False, "address_not_public"),
        ("https://127.0.0.1/hook", True, None),
        ("https://8.8.8.8/hook", False, None),
    ],
)
def test_which_addresses_a_delivery_may_go_to(
    url: str, loopback_allowed: bool, problem: str | None
) -> None:
    assert rules.url_problem(url, allow_http_loopback=loopback_allowed) == problem


@pytest.mark.parametrize(
    ("addresses", "loopback_allowed", "problem"),
    [
        (["93.184.216.34"], False, None),
        (["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"], False, None),
        (["93.184.216.34", "10.0.0.5"], False, "address_not_public"),  # any one is enough
        (["169.254.169.254"], False, "address_not_public"),  # a cloud's metadata service
        (["192.168.1.20"], True, "address_not_public"),  # loopback only, not the LAN
        (["127.0.0.1"], False, "address_not_public"),
        (["127.0.0.1", "::1"], True, None),
        (["::ffff:10.0.0.5"], False, "address_not_public"),
        (["fe80::1%eth0"], False, "address_not_public"),
        (["not an address"], False, "address_not_public"),
        ([], False, "address_not_found"),
    ],
)
def test_where_a_host_name_leads_is_checked_before_each_delivery(
    addresses: list[str], loopback_allowed: bool, problem: str | None
) -> None:
    assert rules.resolved_problem(addresses, allow_loopback=loopback_allowed) == problem


def test_a_failed_delivery_is_tried_five_more_times_then_given_up() -> None:
    delays = [rules.next_delay(n) for n in range(1, rules.MAX_ATTEMPTS + 1)]
    assert delays == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        None,
    ]


def test_the_events_chosen_come_back_in_the_catalogue_s_order_and_unknown_ones_refuse() -> None:
    assert rules.chosen_events(["agreement.breached", "case.state_changed"]) == [
        "case.state_changed",
        "agreement.breached",
    ]
    assert rules.chosen_events([]) is None
    assert rules.chosen_events(["case.state_changed", "case.deleted"]) is None
