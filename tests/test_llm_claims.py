"""The claim checker (ad2video.claims), table-driven: what it lets through and what it catches,
in every locale's spelling."""

from __future__ import annotations

import pytest

from ad2video.claims import check_text, mentioned_facts, scrub_contacts
from ad2video.contracts import Listing
from tests.llm_support import LISTING

HOME = Listing.model_validate({
    "id": "home", "domain": "real_estate", "title": "Depto 3 ambientes con balcón",
    "attributes": {"property_type": "departamento", "bedrooms": 2, "bathrooms": 1,
                   "area": {"value": 68.5, "unit": "m2"}, "parking": 1, "ambientes": 3,
                   "features": ["balcony", "pileta"]},
    "price": {"amount": 95000, "currency": "USD"},
})
FLEX = Listing.model_validate({
    "id": "flex", "domain": "car", "title": "VW Gol 1.6 MSI",
    "attributes": {"make": "VW", "model": "Gol", "fuel": "flex", "transmission": "cvt",
                   "body": "suv", "colour": "prata", "doors": 4}})

# (listing, locale, text): every claim here is supported.
SUPPORTED = [
    (LISTING, "en", "This 2019 Peugeot 208 has done 45,000 km."),
    (LISTING, "es", "Este Peugeot 208 de 2019 tiene 45.000 km y un motor 1,6 L."),
    (LISTING, "pt-BR", "Tem 45 mil km, motor 1,6 e ar-condicionado."),
    (LISTING, "es-AR", "Anda a nafta, con caja manual. Es un hatchback blanco."),
    (LISTING, "en", "It has air conditioning and Bluetooth, both in the interior."),
    (HOME, "es", "Tiene 2 dormitorios, 1 baño, 3 ambientes y 68,5 m² con balcón y pileta."),
    (HOME, "en", "Two bedrooms, one bathroom and a balcony, with 1 parking space."),
    (HOME, "pt-BR", "São dois quartos e um banheiro, com varanda."),
    (FLEX, "pt-BR", "É flex, a gasolina ou etanol, com câmbio automático CVT."),
    (FLEX, "en", "This Volkswagen Gol is a silver crossover with 4 doors."),
]


@pytest.mark.parametrize(("listing", "locale", "text"), SUPPORTED)
def test_supported_claims_pass(listing: Listing, locale: str, text: str) -> None:
    assert check_text(text, listing, locale) == []


# (listing, locale, text, the message of the violation it must produce)
CAUGHT = [
    (LISTING, "en", "It has done 45,001 km.", "number '45,001' is not a listing fact"),
    (LISTING, "es", "Tiene 2019 km.", "'2019 km' is not a quantity the listing gives"),
    (LISTING, "en", "Its 2.0 L engine.", "'2.0 l' is not a quantity the listing gives"),
    (LISTING, "en", "Made in 2018.", "number '2018' is not a listing fact"),
    (LISTING, "es", "Tiene techo solar.", "feature 'techo solar' is not in the listing"),
    (LISTING, "pt-BR", "Tem teto solar e bancos de couro.", "feature 'teto solar'"),
    (LISTING, "en", "It comes with a sat nav and a tow bar.", "feature 'tow bar'"),
    (LISTING, "en", "Like its cousin, the Renault Clio.", "make 'renault' is not the listing's"),
    (LISTING, "en", "Smoother than a Corolla.", "model 'corolla' is not the listing's model"),
    (LISTING, "es", "Motor diésel.", "fuel 'diesel' is not what the listing says"),
    (LISTING, "en", "With an automatic gearbox.", "transmission 'automatic gearbox'"),
    (LISTING, "en", "It is a red hatchback.", "colour 'red' is not what the listing says"),
    (LISTING, "en", "A roomy SUV.", "body 'suv' is not what the listing says"),
    (LISTING, "en", "It had a single owner.", "'a single owner' does not match the listing"),
    (LISTING, "es", "Tiene 3 puertas.", "'3 puertas' does not match the listing (gives no"),
    (HOME, "es", "Tiene tres dormitorios.", "'tres dormitorios' does not match the listing"),
    (HOME, "en", "It has 2 bathrooms.", "'2 bathrooms' does not match the listing (says 1)"),
    (HOME, "en", "Price: 95,000.", "price amount '95,000' is not a listing fact"),
    (HOME, "es", "Acepta permuta y es negociable.", "price or currency mention 'permuta'"),
    (HOME, "pt-BR", "Aceita financiamento.", "price or currency mention 'financiamento'"),
    (HOME, "es-AR", "No te lo pierdas.", "banned phrase 'no te lo pierdas'"),
    (HOME, "pt-BR", "Imperdível!", "banned phrase 'imperdivel'"),
    (HOME, "es-AR", "Puedes verlo hoy.", "not es-AR register: 'puedes'"),
    (HOME, "en", "Write to ana@example.com.", "contact detail 'ana@example.com'"),
    (HOME, "en", "See www.inmo.com.ar/depto.", "contact detail 'www.inmo.com.ar/depto'"),
    (HOME, "es", "Llamá al 11 4567-8901.", "contact detail '11 4567-8901'"),
    (FLEX, "en", "It runs on diesel.", "fuel 'diesel' is not what the listing says"),
    (FLEX, "en", "With a manual gearbox.", "transmission 'manual gearbox'"),
]


@pytest.mark.parametrize(("listing", "locale", "text", "message"), CAUGHT)
def test_unsupported_claims_are_caught(listing: Listing, locale: str, text: str,
                                       message: str) -> None:
    found = [v.message for v in check_text(text, listing, locale)]
    assert any(m.startswith(message) for m in found), found


def test_description_is_not_a_source_of_facts() -> None:
    listing = LISTING.model_copy(update={"description": "It has a sunroof and 3 owners."})
    assert [v.kind for v in check_text("It has a sunroof.", listing, "en")] == ["feature"]
    titled = LISTING.model_copy(update={"title": "Peugeot 208 with sunroof"})
    assert check_text("It has a sunroof.", titled, "en") == []  # the title is a listing fact


def test_facts_a_sentence_states() -> None:
    text = "This 2019 Peugeot 208 has done 45.000 km and has Bluetooth."
    assert mentioned_facts(text, LISTING) == ["year", "mileage", "make", "model",
                                              "features:bluetooth"]


def test_scrubbing_keeps_facts() -> None:
    text = "Peugeot 208 1.6 2019, 45.000 km. Tel: +54 11 5555-4444, mail juan@x.com"
    assert scrub_contacts(text) == "Peugeot 208 1.6 2019, 45.000 km. <removed>, <removed>"
