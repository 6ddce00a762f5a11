"""Sellers' words -> contract values: synonyms for fuel, gearbox, body, keys, units, numbers.

Only clear synonyms are mapped; an unknown word passes through unchanged so that validation
names it ("must be one of ... (got 'kerosene')"). Matching ignores case, accents, spaces and
dashes. "camioneta" maps to pickup (its most common use on Latin American car sites).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ad2video.contracts import CarAttributes, HomeAttributes, OtherAttributes
from ad2video.errors import UserError


def fold(text: str) -> str:
    """Lower case, no accents ("Mecânica" -> "mecanica"); "²" becomes "2"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _key(text: str) -> str:
    return re.sub(r"[\s\-_/.]+", "", fold(text))


def _table(groups: dict[str, str]) -> dict[str, str]:
    """{"canonical": "word word ..."} -> {folded word: canonical}; '+' joins multi-word terms."""
    return {_key(w.replace("+", " ")): canon for canon, words in groups.items()
            for w in [canon, *words.split()]}


FUEL = _table({
    "gasoline": "nafta gasolina petrol gas benzin benzina essence gasolene super",
    "diesel": "gasoil gasoleo gazole diésel turbodiesel tdi",
    "electric": "eléctrico elétrico electrico eletrico électrique elettrica elektro ev bev",
    "hybrid": "híbrido hibrido hybride ibrida hev",
    "plug_in_hybrid": "phev plug-in plug-in+hybrid híbrido+enchufable híbrido+plug-in",
    "lpg": "glp gpl autogas",
    "cng": "gnc gnv metano",
    "flex": "flexfuel flex+fuel total+flex bicombustible",
})
TRANSMISSION = _table({
    "manual": "mecánica mecânica mecánico mecanico standard stick manuelle manuale "
              "schaltgetriebe estándar",
    "automatic": "automática automático automatica automatico auto at automatique automatik "
                 "tiptronic",
    "cvt": "continuously+variable",
    "dual_clutch": "dct dsg dual-clutch doble+embrague dupla+embreagem double+embrayage",
})
BODY = _table({
    "hatchback": "hatch compacto",
    "sedan": "sedán berlina saloon limousine sedã",
    "suv": "todoterreno 4x4 jeep",
    "crossover": "cuv",
    "pickup": "pick-up camioneta caminhonete picape chata",
    "coupe": "coupé cupé cupê",
    "convertible": "cabrio cabriolet descapotable conversível spider roadster",
    "wagon": "estate familiar rural perua break touring station+wagon kombi sw",
    "van": "furgón furgon furgoneta furgão utilitario camionnette",
    "minivan": "monovolumen monovolume mpv monospace",
    "motorcycle": "moto motocicleta motorbike motorrad",
})
DOMAIN = _table({
    "car": "auto autos vehicle vehicles vehículo veículo carro coche voiture automobile cars",
    "real_estate": "realestate home house apartment flat property inmueble propiedad casa "
                   "departamento apartamento imóvel imovel immobilier",
})
CAR_KEYS = _table({
    "make": "marca brand fabricante marque hersteller",
    "model": "modelo modèle modello modell",
    "version": "versión versão",
    "year": "año ano anio année anno baujahr",
    "mileage": "kilometraje kilometros km kms quilometragem odometer kilometrage "
               "kilometerstand chilometraggio",
    "fuel": "combustible combustível carburant carburante kraftstoff",
    "transmission": "transmisión caja cambio gearbox boîte getriebe trasmissione",
    "body": "carrocería carroceria body_type carrosserie karosserie",
    "colour": "color cor couleur colore farbe",
    "engine": "motor moteur motore cilindrada",
    "doors": "puertas portas portes porte türen",
    "owners": "dueños propietarios donos propriétaires",
})
HOME_KEYS = _table({
    "property_type": "tipo tipo_de_propiedad tipo_de_imovel",
    "bedrooms": "dormitorios habitaciones quartos chambres camere schlafzimmer",
    "bathrooms": "baños banheiros bagni",
    "area": "superficie superfície metros m2 surface fläche",
    "floors": "pisos plantas andares étages",
    "parking": "cocheras cochera garage garagem vagas estacionamiento",
})
KM, MI = _table({"km": "kms kilómetros kilometers kilometres quilômetros"}), _table(
    {"mi": "miles mile millas milhas"})
M2, FT2 = _table({"m2": "m mt2 mts2 mts metros metros+cuadrados metros+quadrados sqm"}), _table(
    {"ft2": "sqft sq+ft square+feet pies+cuadrados pés+quadrados"})


def normalise_domain(value: Any) -> Any:
    return DOMAIN.get(_key(value), value) if isinstance(value, str) else value


def normalise_attributes(attrs: dict[str, Any], domain: str, name: str) -> dict[str, Any]:
    """Rename known synonym keys and normalise their values; other keys go to `extra`."""
    keys = {"car": CAR_KEYS, "real_estate": HOME_KEYS}.get(domain, {})
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        canon = keys.get(_key(str(key)), str(key))
        out[canon if canon not in out else str(key)] = value
    for field, table in (("fuel", FUEL), ("transmission", TRANSMISSION), ("body", BODY)):
        if isinstance(out.get(field), str):
            out[field] = table.get(_key(out[field]), out[field])
    for field in ("make", "model", "version", "colour", "engine", "property_type"):
        if _is_number(out.get(field)):
            out[field] = _number_text(out[field])
    if domain == "car" and "mileage" in out:
        out["mileage"] = quantity(out["mileage"], "km", (KM, MI), f"{name}: field "
                                  "'attributes.mileage' must be a distance like 45000 or "
                                  "'45.000 km'")
    if domain == "real_estate" and "area" in out:
        out["area"] = quantity(out["area"], "m2", (M2, FT2), f"{name}: field 'attributes.area' "
                               "must be an area like 120 or '120 m2'")
    extra = out.get("extra")
    if isinstance(extra, dict):
        out["extra"] = {
            k: _scalar(v, f"attributes.extra.{k}", name) for k, v in extra.items() if v is not None
        }
    model = {"car": CarAttributes, "real_estate": HomeAttributes}.get(domain, OtherAttributes)
    for key in [k for k in out if k not in model.model_fields]:
        if out[key] is None:
            del out[key]  # a free key with null carries nothing to keep
        else:
            out[key] = _scalar(out[key], f"attributes.{key}", name)
    return out


def quantity(value: Any, default_unit: str, units: tuple[dict[str, str], ...], problem: str) -> Any:
    """45000 / "45.000 km" / {"value": "45,000", "unit": "MI"} -> {"value": .., "unit": ..}."""
    if value is None or isinstance(value, bool):
        return value
    if _is_number(value):
        return {"value": float(value), "unit": default_unit}
    if isinstance(value, dict):
        out = dict(value)
        if isinstance(out.get("value"), str):
            out["value"] = parse_number(out["value"]) if parse_number(out["value"]) is not None \
                else out["value"]
        if isinstance(out.get("unit"), str):
            out["unit"] = _unit(out["unit"], units) or out["unit"]
        return out
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d[\d.,'\s]*?)\s*([^\W\d_].*?)?\s*", value)
        number = parse_number(match.group(1)) if match else None
        unit = _unit(match.group(2), units) if match and match.group(2) else default_unit
        if number is not None and unit is not None:
            return {"value": number, "unit": unit}
    raise UserError(f"{problem} (got {shown(value)})")


def parse_number(text: str) -> float | None:
    """"45.000" and "45,000" are 45000; "1.6" and "1,6" are 1.6; "45.000,5" is 45000.5."""
    digits = re.sub(r"[\s'\u00a0\u202f]", "", text)
    if not re.fullmatch(r"\d[\d.,]*", digits):
        return None
    seps = [c for c in digits if c in ".,"]
    if len(set(seps)) == 2:  # the last separator is the decimal one
        decimal = seps[-1]
        digits = digits.replace("," if decimal == "." else ".", "").replace(decimal, ".")
    elif seps and (len(seps) > 1 or re.search(r"[.,]\d{3}$", digits)):
        digits = digits.replace(seps[0], "")  # thousands grouping: "45.000", "1,234,567"
    else:
        digits = digits.replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


def shown(value: Any) -> str:
    """A short rendering of a bad value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return repr(text) if isinstance(value, str) else text


def _unit(text: str, units: tuple[dict[str, str], ...]) -> str | None:
    key = _key(text)
    return next((table[key] for table in units if key in table), None)


def _scalar(value: Any, field: str, name: str) -> Any:
    """Free attributes must be scalars; a list of scalars is kept as "a, b, c"."""
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | list) or value is None:
        raise UserError(
            f"{name}: field '{field}' must be text, a number or true/false (got {shown(value)})"
        )
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_text(value: float) -> str:
    return str(int(value)) if isinstance(value, int) else str(value)
