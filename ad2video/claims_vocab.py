"""Word tables for the claim checker (ad2video.claims): what a claim about a listing looks like
in en, es, es-AR and pt-BR. Words that are also everyday words are left out on purpose (Fiat
"Uno" is "one", "van" is a Spanish verb, "Seat" and "Mini" are English words): the checker
must not reject honest sentences. Phrases are matched lowercase, without accents.
"""

from __future__ import annotations

import re

# Counted things: a number (digits or a word) right before one of these names a typed field.
COUNT_NOUNS: dict[str, tuple[str, ...]] = {
    "doors": ("door", "doors", "puerta", "puertas", "porta", "portas"),
    "owners": ("owner", "owners", "dueno", "duenos", "propietario", "propietarios", "dono",
               "donos"),
    "bedrooms": ("bedroom", "bedrooms", "dormitorio", "dormitorios", "habitacion",
                 "habitaciones", "quarto", "quartos", "recamara", "recamaras"),
    "bathrooms": ("bathroom", "bathrooms", "bano", "banos", "banheiro", "banheiros"),
    "parking": ("parking space", "parking spaces", "cochera", "cocheras", "plaza de garaje",
                "plazas de garaje", "vaga", "vagas", "garage space", "garage spaces"),
    "floors": ("floor", "floors", "planta", "plantas", "andar", "andares", "storey", "storeys"),
    "rooms": ("room", "rooms", "ambiente", "ambientes", "comodo", "comodos"),
}
_COUNTS = {  # 1..12 by language; not un/una/um/uma (also articles: "un dormitorio")
    "en": "one two three four five six seven eight nine ten eleven twelve",
    "es": "uno dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "pt": "um dois tres quatro cinco seis sete oito nove dez onze doze",
}
_SINGLE = {"en": ("a single", "single"), "es": ("un solo", "una sola", "unico", "unica"),
           "pt": ("um so", "uma so", "unico", "unica")}
NUMBER_WORDS: dict[str, dict[str, int]] = {  # language -> word -> value
    lang: {**{w: n for n, w in enumerate(words.split(), start=1) if n > 1},
           **dict.fromkeys(_SINGLE[lang], 1)}
    for lang, words in _COUNTS.items()
}


# Units after a number: the quantity the number claims. Values allowed per unit are the typed
# field plus numbers the listing itself writes with that unit.
UNITS: dict[str, tuple[str, ...]] = {
    "km": ("km", "kms", "kilometers", "kilometres", "kilometros", "quilometros"),
    "mi": ("mi", "miles", "millas", "milhas"),
    "m2": ("m2", "m²", "mts2", "square meters", "square metres", "metros cuadrados",
           "metros quadrados", "sqm"),
    "ft2": ("ft2", "ft²", "sq ft", "square feet", "pies cuadrados", "pes quadrados"),
    "litre": ("l", "litre", "litres", "liter", "liters", "litro", "litros"),
    "hp": ("hp", "bhp", "cv", "ps", "caballos", "cavalos", "horsepower"),
    "cc": ("cc", "cm3", "cm³"),
}

# Attribute values a sentence may claim (car listings only), canonical -> phrases.
FUEL_WORDS: dict[str, tuple[str, ...]] = {
    "gasoline": ("petrol", "gasoline", "gasolina", "nafta"),
    "diesel": ("diesel", "turbodiesel"),
    "electric": ("fully electric", "electric car", "electric vehicle", "100% electric",
                 "auto electrico", "coche electrico", "carro eletrico", "100% electrico",
                 "100% eletrico", "totalmente electrico", "totalmente eletrico", "es electrico",
                 "e eletrico"),
    "hybrid": ("hybrid", "hibrido", "hibrida"),
    "plug_in_hybrid": ("plug-in", "plug in hybrid", "enchufable"),
    "lpg": ("lpg", "glp", "gpl", "autogas"),
    "cng": ("cng", "gnc", "gnv", "natural gas", "gas natural"),
    "flex": ("flex", "flex fuel", "flexfuel", "bicombustible"),
    "ethanol": ("ethanol", "etanol", "alcool"),
}
FUEL_COMPATIBLE: dict[str, set[str]] = {  # what a listing's fuel lets a sentence say
    "gasoline": {"gasoline"}, "diesel": {"diesel"}, "electric": {"electric"},
    "hybrid": {"hybrid", "gasoline", "electric"},
    "plug_in_hybrid": {"plug_in_hybrid", "hybrid", "gasoline", "electric"},
    "lpg": {"lpg", "gasoline"}, "cng": {"cng", "gasoline"},
    "flex": {"flex", "gasoline", "ethanol"},
}
TRANSMISSION_WORDS: dict[str, tuple[str, ...]] = {
    "manual": ("manual gearbox", "manual transmission", "stick shift", "caja manual",
               "caja mecanica", "transmision manual", "cambio manual", "cambios manuales",
               "cambio manual", "cambio mecanico", "transmissao manual", "cambio manual"),
    "automatic": ("automatic gearbox", "automatic transmission", "caja automatica",
                  "transmision automatica", "cambio automatico", "transmissao automatica",
                  "cambio automatico"),
    "cvt": ("cvt",),
    "dual_clutch": ("dual-clutch", "dual clutch", "dsg", "doble embrague", "dupla embreagem"),
}
TRANSMISSION_COMPATIBLE: dict[str, set[str]] = {
    "manual": {"manual"}, "automatic": {"automatic"}, "cvt": {"cvt", "automatic"},
    "dual_clutch": {"dual_clutch", "automatic"},
}
BODY_WORDS: dict[str, tuple[str, ...]] = {
    "hatchback": ("hatchback",), "sedan": ("sedan", "seda", "saloon"),
    "suv": ("suv", "todoterreno"), "crossover": ("crossover",),
    "pickup": ("pickup", "pick-up", "pickup truck", "picape", "caminhonete"),
    "coupe": ("coupe", "cupe"), "convertible": ("convertible", "conversivel", "cabriolet"),
    "wagon": ("station wagon", "estate car", "perua"),
    "minivan": ("minivan", "monovolumen", "monovolume", "people carrier"),
    "motorcycle": ("motorcycle", "motocicleta"),
}
BODY_COMPATIBLE: dict[str, set[str]] = {"suv": {"suv", "crossover"},
                                        "crossover": {"crossover", "suv"}}
COLOUR_FAMILIES = ({"grey", "silver"}, {"red", "burgundy"})
FEATURE_FAMILIES = ({"parking_sensors", "rear_parking_sensors"},
                    {"air_conditioning", "climate_control"}, {"security", "security_24h"},
                    {"sunroof", "panoramic_roof"}, {"garage", "parking"})

# Car makes and models a sentence may not swap in. Everyday words are left out (see above).
MAKES = (
    "volkswagen", "vw", "ford", "chevrolet", "chevy", "fiat", "renault", "peugeot", "citroen",
    "toyota", "honda", "nissan", "hyundai", "kia", "jeep", "bmw", "mercedes-benz", "mercedes",
    "audi", "volvo", "mazda", "mitsubishi", "subaru", "suzuki", "tesla", "dodge", "chrysler",
    "land rover", "range rover", "jaguar", "porsche", "ferrari", "lamborghini", "alfa romeo",
    "skoda", "dacia", "opel", "lexus", "infiniti", "chery", "byd", "geely", "haval", "lifan",
    "iveco", "yamaha", "kawasaki", "ducati", "harley-davidson", "royal enfield", "cupra",
)
MODELS = (
    "corolla", "civic", "hilux", "onix", "cruze", "amarok", "vento", "tiguan", "sandero",
    "logan", "duster", "corsa", "clio", "megane", "fiesta", "ecosport", "kuga", "mustang",
    "camry", "rav4", "yaris", "etios", "prius", "accord", "hr-v", "cr-v", "tracker", "kicks",
    "versa", "sentra", "frontier", "toro", "strada", "argo", "cronos", "palio", "siena",
    "renegade", "compass", "tucson", "creta", "hb20", "sportage", "cerato", "picanto", "kangoo",
    "partner", "berlingo", "t-cross", "nivus", "virtus", "saveiro", "voyage", "taos", "jetta",
    "passat", "bora", "outlander", "pajero", "lancer", "vitara", "jimny", "ranger", "territory",
    "captur", "kardian", "stepway", "spin", "montana", "s10", "trailblazer", "tiggo",
)

# Money talk beyond ad2video.stages.script.MONEY_RE (kept out of that one: titles are cleaned
# with it and "offers" is an honest word in "the home offers a balcony").
MONEY_EXTRA_RE = re.compile(
    r"\b(?:ofertas?|promo(?:cion|cao|tion)?|negociables?|negotiable|negociavel|permuta"
    r"|trade-?in|barat[oa]s?|cheap(?:er|est)?|leasing|juros|mensualidad(?:es)?|down payment"
    r"|anticipo|cash|efectivo|credito|credit|rebajad[oa]|pagos?|payments?|pay monthly)\b",
    re.IGNORECASE)
