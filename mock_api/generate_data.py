"""Generate the sample forms and products shipped in ``mock_api/data``.

Run ``python -m mock_api.generate_data`` after changing this module or
``sample_forms``. The output depends only on ``SEED``, so a test can
regenerate it and compare it with the committed files.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mock_api.etim import DEPTH
from mock_api.etim import ETIM_CLASSES
from mock_api.etim import ETIM_FEATURES
from mock_api.etim import HEIGHT
from mock_api.etim import WIDTH
from mock_api.etim import EtimFeature
from mock_api.gs1 import gs1_check_digit
from mock_api.sample_forms import build_forms

SEED = 20240301
PRODUCTS_PER_CATEGORY = 48
FIRST_PRODUCT_ID = 100001
DATA_DIR = Path(__file__).parent / "data"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Attachment URLs use the reserved .invalid domain, so that no client fetches
# them from a real host by accident.
ASSET_BASE_URL = "https://assets.tn-mock.invalid/products"


@dataclass(frozen=True)
class Manufacturer:
    """A manufacturer with its synthetic GLN and GS1 company prefix."""

    name: str
    gln: str
    gtin_prefix: str


@dataclass(frozen=True)
class ProductLine:
    """A brand's model family in one category, with its version names."""

    category: str
    brand: str
    model: str
    versions: tuple[str, ...]


# Brand to (manufacturer name, first digits of its GS1 numbers). The numbers
# are synthetic: they are valid GS1 numbers but not the real companies' ones.
BRANDS: dict[str, tuple[str, str]] = {
    "Remeha": ("BDR Thermea Group B.V.", "8712345"),
    "Intergas": ("Intergas Verwarming B.V.", "8713211"),
    "Nefit Bosch": ("Bosch Thermotechniek B.V.", "8714567"),
    "Vaillant": ("Vaillant Group Netherlands B.V.", "4024074"),
    "ATAG": ("ATAG Verwarming Nederland B.V.", "8716102"),
    "Viessmann": ("Viessmann Climate Solutions SE", "4057749"),
    "Daikin": ("Daikin Airconditioning Netherlands B.V.", "5413123"),
    "Itho Daalderop": ("Itho Daalderop Group B.V.", "8717185"),
    "Alpha Innotec": ("ait-deutschland GmbH", "4048164"),
    "Brink": ("Brink Climate Systems B.V.", "8718456"),
    "Zehnder": ("Zehnder Group Nederland B.V.", "8712874"),
    "Orcon": ("Orcon B.V.", "8713950"),
    "SMA": ("SMA Solar Technology AG", "4049361"),
    "Enphase": ("Enphase Energy Inc.", "0810061"),
    "SolarEdge": ("SolarEdge Technologies Ltd.", "7290113"),
    "Growatt": ("Shenzhen Growatt New Energy Co., Ltd.", "6970512"),
    "Fronius": ("Fronius International GmbH", "9005187"),
    "JA Solar": ("JA Solar Technology Co., Ltd.", "6971234"),
    "Trina Solar": ("Trina Solar Co., Ltd.", "6972345"),
    "Meyer Burger": ("Meyer Burger Technology AG", "7612345"),
    "Inventum": ("Inventum B.V.", "8711876"),
    "Ariston": ("Ariston Group N.V.", "8007842"),
    "Kidde": ("Kidde Safety Europe Ltd.", "5011234"),
    "FireAngel": ("FireAngel Safety Technology Ltd.", "5029876"),
    "Ei Electronics": ("Ei Electronics", "5391234"),
}

PRODUCT_LINES: tuple[ProductLine, ...] = (
    ProductLine("CV-toestellen", "Remeha", "Calenta Ace", ("28c", "35c", "40c")),
    ProductLine("CV-toestellen", "Remeha", "Tzerra Ace", ("24c", "28c", "39c")),
    ProductLine("CV-toestellen", "Intergas", "Xtreme", ("30", "36", "36 CW5")),
    ProductLine("CV-toestellen", "Intergas", "HRE", ("24/18", "28/24", "36/30")),
    ProductLine("CV-toestellen", "Nefit Bosch", "ProLine NxT", ("HRC 24", "HRC 30")),
    ProductLine("CV-toestellen", "Vaillant", "ecoTEC plus", ("VHR 25-30/5-5",)),
    ProductLine("CV-toestellen", "ATAG", "i-Serie", ("i24C", "i28C", "i36C")),
    ProductLine("CV-toestellen", "Viessmann", "Vitodens 100-W", ("B1KF 25", "B1KF 32")),
    ProductLine("Warmtepompen", "Daikin", "Altherma 3 R", ("EBLA04E", "EBLA08E")),
    ProductLine("Warmtepompen", "Daikin", "Altherma 3 H HT", ("ETBH16E", "EPRA14")),
    ProductLine("Warmtepompen", "Vaillant", "aroTHERM plus", ("VWL 65/6", "VWL 105/6")),
    ProductLine("Warmtepompen", "Alpha Innotec", "alira", ("LWDV 91-1/3",)),
    ProductLine("Warmtepompen", "Remeha", "Elga Ace", ("4 kW", "6 kW", "8 kW")),
    ProductLine("Warmtepompen", "Itho Daalderop", "Amber", ("6.5", "9.5", "12")),
    ProductLine("Warmtepompen", "Nefit Bosch", "Compress 7400i AW", ("5", "7", "10")),
    ProductLine("Warmtepompen", "Intergas", "Xource", ("Hybride 5 kW",)),
    ProductLine("Zonnepanelen", "JA Solar", "JAM54D40", ("420 Wp", "430 Wp")),
    ProductLine("Zonnepanelen", "Trina Solar", "Vertex S+", ("425 Wp", "435 Wp")),
    ProductLine("Zonnepanelen", "Meyer Burger", "Black", ("390 Wp", "400 Wp")),
    ProductLine("Zonnepanelen", "JA Solar", "JAM54S31", ("405 Wp", "410 Wp")),
    ProductLine("Omvormers", "SMA", "Sunny Boy", ("3.0", "4.0", "5.0")),
    ProductLine("Omvormers", "SMA", "Sunny Tripower", ("8.0", "10.0")),
    ProductLine("Omvormers", "Enphase", "IQ8", ("IQ8M", "IQ8A", "IQ8HC")),
    ProductLine("Omvormers", "SolarEdge", "Home Wave", ("SE3000H", "SE5000H")),
    ProductLine("Omvormers", "Growatt", "MIN TL-X", ("3000", "4200", "6000")),
    ProductLine("Omvormers", "Fronius", "Primo GEN24", ("3.0 Plus", "5.0 Plus")),
    ProductLine("Boilers", "Itho Daalderop", "Mono-plus", ("50 l", "80 l", "120 l")),
    ProductLine("Boilers", "Inventum", "Ecolectro", ("80 l", "120 l")),
    ProductLine("Boilers", "Ariston", "Velis Evo", ("50 l", "80 l")),
    ProductLine("Boilers", "Vaillant", "eloSTOR", ("VEH 80", "VEH 120")),
    ProductLine("Boilers", "Nefit Bosch", "Tronic 2000", ("30 l", "50 l")),
    ProductLine("Ventilatie-units", "Brink", "Flair", ("225", "325", "400")),
    ProductLine("Ventilatie-units", "Brink", "Renovent Excellent", ("300", "400")),
    ProductLine("Ventilatie-units", "Zehnder", "ComfoAir Q", ("Q350", "Q450")),
    ProductLine("Ventilatie-units", "Itho Daalderop", "HRU ECO", ("300", "350")),
    ProductLine("Ventilatie-units", "Orcon", "HRC", ("300", "400", "500")),
    ProductLine("CO-melders", "Kidde", "K7CO", ("Standaard", "Met display")),
    ProductLine("CO-melders", "FireAngel", "CO-9D", ("NL", "Koppelbaar")),
    ProductLine("CO-melders", "Ei Electronics", "Ei208", ("Ei208", "Ei208D")),
)

STATUSES = (
    ({"code": "ACT", "description": "Actief"}, 8),
    ({"code": "EXP", "description": "Uitlopend"}, 1),
)

CHECKLISTS: dict[str, tuple[str, ...]] = {
    "CV-toestellen": (
        "Controleer de condensafvoer op lekkage",
        "Meet het CO-gehalte van het rookgas",
        "Controleer de waterdruk",
    ),
    "Warmtepompen": (
        "Controleer het buitendeel op vervuiling",
        "Controleer de stooklijn",
    ),
    "Zonnepanelen": ("Controleer de bevestiging", "Controleer de DC-connectoren"),
    "Omvormers": ("Lees de foutmeldingen uit", "Controleer de koeling"),
    "Boilers": ("Controleer de inlaatcombinatie", "Controleer de anode"),
    "Ventilatie-units": ("Vervang de filters", "Reinig de warmtewisselaar"),
    "CO-melders": ("Druk op de testknop", "Controleer de vervaldatum"),
}

FAULT_CODES: dict[str, tuple[tuple[str, str], ...]] = {
    "CV-toestellen": (
        ("E01", "Geen vlamdetectie na ontsteking"),
        ("E02", "Vlamsignaal zonder ontsteking"),
        ("E10", "Aanvoertemperatuur te hoog"),
        ("E28", "Rookgasafvoer geblokkeerd"),
    ),
    "Warmtepompen": (
        ("A03", "Hogedrukstoring koudemiddelcircuit"),
        ("A07", "Te weinig debiet in verwarmingscircuit"),
    ),
    "Omvormers": (
        ("301", "Netspanning buiten bereik"),
        ("401", "Isolatiefout DC-zijde"),
    ),
    "Ventilatie-units": (("F1", "Filter vervuild"), ("F4", "Ventilator defect")),
    "CO-melders": (("ERR", "Sensor aan einde levensduur"),),
}


def build_gs1_number(rng: random.Random, prefix: str, used: set[str]) -> str:
    """Draw a GS1-13 number with prefix that is not in used, and add it there."""
    while True:
        digits = (str(rng.randrange(10)) for _ in range(12 - len(prefix)))
        body = prefix + "".join(digits)
        number = body + str(gs1_check_digit(body))
        if number not in used:
            used.add(number)
            return number


def build_product_code(rng: random.Random, prefix: str, used: set[str]) -> str:
    """Draw a manufacturer article number that is not in used, and add it there."""
    while True:
        code = f"{prefix[-3:]}{rng.randrange(10**6, 10**7)}"
        if code not in used:
            used.add(code)
            return code


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).isoformat(timespec="seconds")


def build_manufacturers() -> dict[str, Manufacturer]:
    manufacturers: dict[str, Manufacturer] = {}
    for brand, (name, prefix) in BRANDS.items():
        # The GLN uses the prefix plus zeros, so that it is stable per brand
        # and does not collide with any of the brand's GTINs.
        body = prefix.ljust(12, "0")
        gln = body + str(gs1_check_digit(body))
        manufacturers[brand] = Manufacturer(name, gln, prefix)

    return manufacturers


def build_feature(rng: random.Random, feature: EtimFeature) -> dict[str, Any]:
    description = feature.description
    if feature.unit:
        description = f"{description} ({feature.unit})"
    if feature.maximum == 0:
        return {
            "code": feature.code,
            "description": description,
            "logicalValue": rng.random() < 0.5,
        }

    value = rng.uniform(feature.minimum, feature.maximum)
    if feature.maximum - feature.minimum >= 20:
        value = float(round(value))
    else:
        value = round(value, 1)

    return {"code": feature.code, "description": description, "numericValue": value}


def build_product(
    rng: random.Random,
    product_id: int,
    line: ProductLine,
    version: str,
    manufacturer: Manufacturer,
    used_codes: set[str],
) -> dict[str, Any]:
    """Build one full product, drawing its codes so that none is in used_codes."""
    etim_class = ETIM_CLASSES[line.category]
    created = datetime(2019, 1, 1, 8, tzinfo=AMSTERDAM) + timedelta(
        minutes=rng.randrange(0, 4 * 365 * 24 * 60)
    )
    started = created + timedelta(days=rng.randrange(0, 60))
    changed = started + timedelta(
        days=rng.randrange(0, 700), minutes=rng.randrange(600)
    )
    product_code = build_product_code(rng, manufacturer.gtin_prefix, used_codes)
    status = rng.choices(
        [status for status, _ in STATUSES], [weight for _, weight in STATUSES]
    )[0]
    short_description = f"{line.brand} {line.model} {version} {etim_class.description}"

    features = [build_feature(rng, f) for f in (WIDTH, HEIGHT, DEPTH)]
    features += [build_feature(rng, f) for f in ETIM_FEATURES[line.category]]
    attachments = [
        {
            "location": f"{ASSET_BASE_URL}/{product_id}/installatiehandleiding.pdf",
            "title": "Installatiehandleiding",
        },
        {
            "location": f"{ASSET_BASE_URL}/{product_id}/productblad.pdf",
            "title": "Productblad",
        },
    ]
    fault_codes = [
        {"code": code, "description": text}
        for code, text in FAULT_CODES.get(line.category, ())
    ]

    return {
        "publish": True,
        "id": product_id,
        "shortDescription": short_description,
        "manufacturerGln": manufacturer.gln,
        "manufacturerName": manufacturer.name,
        "productCode": product_code,
        "gtin": build_gs1_number(rng, manufacturer.gtin_prefix, used_codes),
        "brand": line.brand,
        "model": line.model,
        "version": version,
        "category": line.category,
        "etimClass": {"code": etim_class.code, "description": etim_class.description},
        "status": dict(status),
        "changeDate": format_timestamp(changed),
        "startDate": format_timestamp(started),
        "isDeleted": False,
        "isDummy": False,
        "hasImage": rng.random() < 0.8,
        "recordCreateDate": format_timestamp(created),
        "features": features,
        "attachments": attachments,
        "checklist": list(CHECKLISTS[line.category]),
        "faultCodes": fault_codes,
    }


def build_products(rng: random.Random) -> list[dict[str, Any]]:
    """Build PRODUCTS_PER_CATEGORY products per category, cycling its lines."""
    manufacturers = build_manufacturers()
    products: list[dict[str, Any]] = []
    used_codes: set[str] = set()
    product_id = FIRST_PRODUCT_ID

    for category in ETIM_CLASSES:
        variants = [
            (line, version)
            for line in PRODUCT_LINES
            if line.category == category
            for version in line.versions
        ]
        for index in range(PRODUCTS_PER_CATEGORY):
            line, version = variants[index % len(variants)]
            manufacturer = manufacturers[line.brand]
            product = build_product(
                rng, product_id, line, version, manufacturer, used_codes
            )
            products.append(product)
            product_id += 1

    return products


def generate(seed: int = SEED) -> dict[str, Any]:
    """Build the sample data: a dict of file name to the JSON document."""
    rng = random.Random(seed)

    return {"forms.json": build_forms(), "products.json": build_products(rng)}


def dump_json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def write_data(directory: Path, seed: int = SEED) -> list[Path]:
    """Write the sample data files into directory and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, document in generate(seed).items():
        path = directory / name
        path.write_text(dump_json(document), encoding="utf-8")
        paths.append(path)

    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Generate the sample forms and products of mock_api."
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DATA_DIR,
        help="directory to write forms.json and products.json into",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    args = parser.parse_args(argv)

    for path in write_data(args.output, args.seed):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
