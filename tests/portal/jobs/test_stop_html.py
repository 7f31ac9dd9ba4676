"""A leg's stop as the legs board and the leg page show it: escaped, with the address (or the city), whom to
ask for and a phone link."""

from apps.portal.legs import Stop
from apps.portal.templatetags.stops import stop_html


def test_a_stop_shows_who_where_whom_to_ask_and_a_phone_to_tap_escaped():
    stop = Stop(
        label="<b>Acme</b>",
        city="Delft",
        latitude=None,
        longitude=None,
        address="Oude Delft 1, 2611 Delft",
        contact="Ann & Bo",
        phone="+31 (0)15 123",
    )
    assert str(stop_html(stop)) == (
        "<strong>&lt;b&gt;Acme&lt;/b&gt;</strong><br>Oude Delft 1, 2611 Delft"
        '<br><span class="muted">ask for Ann &amp; Bo · <a href="tel:+31015123">+31 (0)15 123</a></span>'
    )


def test_a_stop_without_address_or_contact_shows_its_city_only():
    stop = Stop(label="Depot", city="Delft", latitude=None, longitude=None)
    assert str(stop_html(stop)) == "<strong>Depot</strong><br>Delft"
