"""ETIM classes and features used by the sample product data.

NOTE: the codes have the ETIM format (EC or EF plus six digits) and were
chosen from memory of the ETIM model. They were not checked against an ETIM
release, so a client must not rely on a code meaning the same class in the
real 2BA database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EtimClass:
    """An ETIM product class with its Dutch description."""

    code: str
    description: str


@dataclass(frozen=True)
class EtimFeature:
    """An ETIM feature: numeric ones carry a unit and a value range."""

    code: str
    description: str
    unit: str | None = None
    minimum: float = 0
    maximum: float = 0


# Product category (the FGO+ `category` value) to its ETIM class.
ETIM_CLASSES: dict[str, EtimClass] = {
    "CV-toestellen": EtimClass("EC011434", "Cv-ketel (gas)"),
    "Warmtepompen": EtimClass("EC012034", "Warmtepomp"),
    "Zonnepanelen": EtimClass("EC017346", "Fotovoltaïsche module"),
    "Omvormers": EtimClass("EC002714", "Omvormer voor PV-systeem"),
    "Boilers": EtimClass("EC010484", "Elektrische boiler"),
    "Ventilatie-units": EtimClass("EC011462", "Ventilatie-unit met WTW"),
    "CO-melders": EtimClass("EC002576", "Koolmonoxidemelder"),
}

WIDTH = EtimFeature("EF000008", "Breedte", "mm", 200, 1200)
HEIGHT = EtimFeature("EF000040", "Hoogte", "mm", 100, 2000)
DEPTH = EtimFeature("EF000049", "Diepte", "mm", 30, 800)

# Product category to the features its products carry, besides the dimensions.
ETIM_FEATURES: dict[str, tuple[EtimFeature, ...]] = {
    "CV-toestellen": (
        EtimFeature("EF007127", "Nominaal vermogen verwarming", "kW", 12, 40),
        EtimFeature("EF008233", "Geschikt voor waterstofbijmenging"),
        EtimFeature("EF000281", "Met warmwatervoorziening"),
    ),
    "Warmtepompen": (
        EtimFeature("EF007127", "Nominaal vermogen verwarming", "kW", 3, 16),
        EtimFeature("EF011498", "SCOP bij 35 °C", None, 3.5, 5.2),
        EtimFeature("EF009348", "Geschikt voor koeling"),
    ),
    "Zonnepanelen": (
        EtimFeature("EF009410", "Piekvermogen", "Wp", 360, 450),
        EtimFeature("EF009411", "Moduleredement", "%", 19, 23),
        EtimFeature("EF009409", "Bifaciaal"),
    ),
    "Omvormers": (
        EtimFeature("EF000244", "Nominaal AC-vermogen", "kW", 1.5, 10),
        EtimFeature("EF009451", "Aantal MPP-trackers", None, 1, 3),
        EtimFeature("EF009452", "Driefase"),
    ),
    "Boilers": (
        EtimFeature("EF000011", "Inhoud", "l", 30, 300),
        EtimFeature("EF000280", "Aansluitvermogen", "kW", 1.2, 3),
        EtimFeature("EF008239", "Met nachtstroomschakeling"),
    ),
    "Ventilatie-units": (
        EtimFeature("EF002155", "Maximaal luchtdebiet", "m³/h", 150, 450),
        EtimFeature("EF008821", "Thermisch rendement", "%", 85, 96),
        EtimFeature("EF002160", "Met bypass"),
    ),
    "CO-melders": (
        EtimFeature("EF000227", "Levensduur sensor", "jaar", 7, 10),
        EtimFeature("EF002204", "Koppelbaar"),
        EtimFeature("EF000221", "Met display"),
    ),
}
