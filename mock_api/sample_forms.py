"""Sample inspection forms in Form.io component format, with their versions."""

from __future__ import annotations

from typing import Any

from mock_api.etim import ETIM_CLASSES
from mock_api.form_spec import APPROVED_REJECTED
from mock_api.form_spec import GOOD_MODERATE_BAD
from mock_api.form_spec import YES_NO
from mock_api.form_spec import YES_NO_NOT_APPLICABLE
from mock_api.form_spec import FormSpec
from mock_api.form_spec import Question
from mock_api.form_spec import datagrid
from mock_api.form_spec import photo
from mock_api.form_spec import radio
from mock_api.form_spec import textarea
from mock_api.form_spec import textfield


def _class_codes(*categories: str) -> tuple[str, ...]:
    return tuple(ETIM_CLASSES[category].code for category in categories)


def _boiler_questions() -> tuple[Question, ...]:
    return (
        textfield("toestelMerk", "Merk toestel"),
        textfield("toestelType", "Type toestel"),
        textfield(
            "bouwjaar",
            "Bouwjaar toestel",
            has_not_relevant=True,
            tooltip="Staat op het typeplaatje aan de binnenzijde van de mantel.",
        ),
        radio(
            "toestelCategorie",
            "Toestelcategorie",
            (("Open toestel (B)", "open"), ("Gesloten toestel (C)", "gesloten")),
            description="Open toestellen onttrekken verbrandingslucht aan de ruimte.",
        ),
        radio("branderGereinigd", "Brander gereinigd", YES_NO_NOT_APPLICABLE),
        radio("sifonGereinigd", "Condenssifon gereinigd en gevuld", YES_NO),
        textfield(
            "coGehalte",
            "CO-gehalte rookgas (ppm)",
            tooltip="Meten bij vollast, na minimaal 5 minuten branden.",
        ),
        textfield("co2Gehalte", "CO2-gehalte rookgas (%)", since=2),
        textfield("waterdruk", "Waterdruk installatie (bar)", has_not_relevant=True),
        radio("rookgasafvoer", "Rookgasafvoer beoordeeld", APPROVED_REJECTED),
        datagrid(
            "vervangenOnderdelen",
            "Vervangen onderdelen",
            textfield("onderdeel", "Onderdeel"),
            textfield("artikelnummer", "Artikelnummer"),
            textfield("aantal", "Aantal"),
            since=2,
        ),
        photo("fotoTypeplaat", "Foto typeplaatje", since=3),
        photo("fotoRookgasafvoer", "Foto rookgasafvoer"),
        textarea("opmerkingen", "Opmerkingen"),
    )


def _gas_tightness_questions() -> tuple[Question, ...]:
    return (
        radio(
            "soortBeproeving",
            "Soort beproeving",
            (("Sterktebeproeving", "sterkte"), ("Dichtheidsbeproeving", "dichtheid")),
            description="Beproeving volgens NEN 1078.",
        ),
        textfield("beproevingsdruk", "Beproevingsdruk (mbar)"),
        textfield("beproevingsduur", "Beproevingsduur (minuten)"),
        textfield("drukverlies", "Drukverlies (mbar)", has_not_relevant=True),
        radio("resultaat", "Resultaat", APPROVED_REJECTED),
        datagrid(
            "lekkages",
            "Gevonden lekkages",
            textfield("locatie", "Locatie"),
            radio("hersteld", "Hersteld", YES_NO),
            since=2,
        ),
        photo("fotoMeetopstelling", "Foto meetopstelling"),
        textarea("toelichting", "Toelichting"),
    )


def _heat_pump_questions() -> tuple[Question, ...]:
    return (
        textfield("serienummer", "Serienummer buitendeel"),
        radio(
            "bronType",
            "Type bron",
            (("Lucht", "lucht"), ("Bodem", "bodem"), ("Grondwater", "grondwater")),
        ),
        textfield("vulgewichtKoudemiddel", "Vulgewicht koudemiddel (kg)"),
        textfield(
            "fgassenCertificaat",
            "Nummer F-gassencertificaat monteur",
            has_not_relevant=True,
            tooltip="Alleen nodig als het koudemiddelcircuit is geopend.",
        ),
        textfield("aanvoertemperatuur", "Ingestelde aanvoertemperatuur (°C)"),
        radio("stooklijnIngesteld", "Stooklijn ingesteld", YES_NO),
        radio("geluidGemeten", "Geluidsniveau buitendeel gemeten", YES_NO, since=2),
        textfield("geluidsniveau", "Geluidsniveau op erfgrens (dB(A))", since=2),
        datagrid(
            "groepen",
            "Verwarmingsgroepen",
            textfield("ruimte", "Ruimte"),
            textfield("debiet", "Debiet (l/h)"),
        ),
        photo("fotoBuitendeel", "Foto buitendeel"),
        textarea("uitlegKlant", "Uitleg aan klant"),
    )


def _pv_questions() -> tuple[Question, ...]:
    return (
        textfield("aantalPanelen", "Aantal panelen"),
        textfield("piekvermogen", "Totaal piekvermogen (Wp)"),
        radio(
            "dakType",
            "Type dak",
            (("Schuin dak", "schuin"), ("Plat dak", "plat"), ("Gevel", "gevel")),
        ),
        radio(
            "bevestigingBeoordeeld",
            "Bevestiging panelen beoordeeld",
            GOOD_MODERATE_BAD,
            tooltip="Let op losse klemmen en beschadigde dakpannen.",
        ),
        radio("dcBekabeling", "DC-bekabeling en connectoren", APPROVED_REJECTED),
        textfield("isolatieweerstand", "Isolatieweerstand (MΩ)", has_not_relevant=True),
        datagrid(
            "strings",
            "Stringmetingen",
            textfield("string", "String"),
            textfield("openklemspanning", "Openklemspanning (V)"),
            textfield("kortsluitstroom", "Kortsluitstroom (A)"),
        ),
        radio("brandrisico", "Verhoogd brandrisico vastgesteld", YES_NO, since=2),
        photo("fotoOmvormer", "Foto omvormer"),
        photo("fotoDak", "Foto panelen op dak", since=2),
        textarea("bevindingen", "Bevindingen"),
    )


def _co_detector_questions() -> tuple[Question, ...]:
    return (
        datagrid(
            "melders",
            "CO-melders",
            textfield("ruimte", "Ruimte"),
            textfield("vervaldatum", "Vervaldatum melder"),
            radio("getest", "Testknop werkt", YES_NO),
        ),
        radio("meldersVoldoende", "Voldoende melders geplaatst", YES_NO),
        textarea("advies", "Advies aan bewoner"),
        photo("fotoMelder", "Foto geplaatste melder"),
    )


def _ventilation_questions() -> tuple[Question, ...]:
    return (
        radio(
            "systeem",
            "Ventilatiesysteem",
            (
                ("A: natuurlijk", "A"),
                ("B: mechanische toevoer", "B"),
                ("C: mechanische afvoer", "C"),
                ("D: gebalanceerd", "D"),
            ),
            description="Indeling volgens NEN 1087.",
        ),
        datagrid(
            "ventielen",
            "Gemeten ventielen",
            textfield("ruimte", "Ruimte"),
            textfield("gemetenDebiet", "Gemeten debiet (m³/h)"),
            textfield("eisDebiet", "Eis (m³/h)", since=2),
        ),
        textfield("co2Woonkamer", "CO2-concentratie woonkamer (ppm)", since=2),
        radio("filtersVervangen", "Filters vervangen", YES_NO_NOT_APPLICABLE),
        photo("fotoUnit", "Foto ventilatie-unit"),
        textarea("opmerkingen", "Opmerkingen"),
    )


def _water_heater_questions() -> tuple[Question, ...]:
    return (
        textfield("inhoud", "Inhoud boiler (liter)"),
        radio(
            "energiebron",
            "Energiebron",
            (("Elektrisch", "elektrisch"), ("Gas", "gas"), ("Warmtepomp", "wp")),
        ),
        radio("inlaatcombinatie", "Inlaatcombinatie werkt", YES_NO),
        textfield("anodeConditie", "Conditie anode", has_not_relevant=True),
        textfield("tapwatertemperatuur", "Tapwatertemperatuur (°C)"),
        photo("fotoBoiler", "Foto boiler"),
        textarea("opmerkingen", "Opmerkingen"),
    )


def _legionella_questions() -> tuple[Question, ...]:
    return (
        radio("prioritaireInstallatie", "Prioritaire installatie", YES_NO),
        datagrid(
            "tappunten",
            "Tappunten",
            textfield("tappunt", "Tappunt"),
            textfield("temperatuurNa1Minuut", "Temperatuur na 1 minuut (°C)"),
            radio("doodLeiding", "Dode leiding aanwezig", YES_NO),
        ),
        textfield(
            "watertemperatuurBoiler",
            "Temperatuur boiler (°C)",
            tooltip="Boven 60 °C groeit legionella niet.",
        ),
        textarea("beheersmaatregelen", "Voorgestelde beheersmaatregelen"),
        photo("fotoInstallatie", "Foto drinkwaterinstallatie"),
    )


def _flue_questions() -> tuple[Question, ...]:
    return (
        radio(
            "afvoerMateriaal",
            "Materiaal rookgasafvoer",
            (("Kunststof", "kunststof"), ("RVS", "rvs"), ("Aluminium", "aluminium")),
        ),
        radio("afvoerLekdicht", "Rookgasafvoer lekdicht", YES_NO),
        radio("dakdoorvoerBeoordeeld", "Dakdoorvoer", GOOD_MODERATE_BAD),
        textfield("lengteAfvoer", "Lengte afvoer (m)", has_not_relevant=True),
        photo("fotoDakdoorvoer", "Foto dakdoorvoer"),
        textarea("gebreken", "Gebreken"),
    )


def _inverter_questions() -> tuple[Question, ...]:
    return (
        textfield("oudeOmvormer", "Oude omvormer (merk en type)"),
        textfield("nieuweOmvormer", "Nieuwe omvormer (merk en type)"),
        textfield("serienummerNieuw", "Serienummer nieuwe omvormer"),
        radio("monitoringActief", "Monitoring gekoppeld", YES_NO_NOT_APPLICABLE),
        photo("fotoMontage", "Foto montage"),
        textarea("opmerkingen", "Opmerkingen"),
    )


def _heat_recovery_questions() -> tuple[Question, ...]:
    return (
        radio("filtersVervangen", "Filters vervangen", YES_NO),
        radio("warmtewisselaarGereinigd", "Warmtewisselaar gereinigd", YES_NO),
        radio("condensafvoer", "Condensafvoer", GOOD_MODERATE_BAD),
        textfield("standInstelling", "Ingestelde stand", has_not_relevant=True),
        photo("fotoFilters", "Foto filters"),
        textarea("opmerkingen", "Opmerkingen"),
    )


def _handover_questions() -> tuple[Question, ...]:
    return (
        textfield("projectnummer", "Projectnummer"),
        datagrid(
            "opgeleverdeOnderdelen",
            "Opgeleverde onderdelen",
            textfield("omschrijving", "Omschrijving"),
            textfield("aantal", "Aantal"),
        ),
        radio("documentatieOverhandigd", "Documentatie overhandigd", YES_NO),
        radio("uitlegGegeven", "Uitleg gegeven aan gebruiker", YES_NO, since=2),
        photo("fotoOplevering", "Foto oplevering"),
        textarea("restpunten", "Restpunten"),
    )


def _hybrid_questions() -> tuple[Question, ...]:
    return (
        textfield("ketelMerkType", "Bestaande cv-ketel (merk en type)"),
        textfield("warmtepompMerkType", "Warmtepomp (merk en type)"),
        radio(
            "regeling",
            "Regeling",
            (("OpenTherm", "opentherm"), ("Aan/uit", "aanuit"), ("Eigen", "eigen")),
        ),
        textfield("omschakeltemperatuur", "Bivalentiepunt (°C)"),
        photo("fotoOpstelling", "Foto opstelling"),
        textarea("opmerkingen", "Opmerkingen"),
    )


def build_form_specs() -> list[FormSpec]:
    return [
        FormSpec(
            code="FGO00001",
            form_code="MBO_GAS",
            title="Onderhoud gasgestookt cv-toestel (MBO)",
            versions=3,
            etim_classes=_class_codes("CV-toestellen"),
            questions=_boiler_questions(),
        ),
        FormSpec(
            code="FGO00002",
            form_code="GAS_NEN1078",
            title="Gasdichtheidsbeproeving (NEN 1078)",
            versions=2,
            etim_classes=_class_codes("CV-toestellen", "Boilers"),
            questions=_gas_tightness_questions(),
        ),
        FormSpec(
            code="FGO00003",
            form_code="WP_INBEDRIJF",
            title="Inbedrijfstelling warmtepomp",
            versions=2,
            etim_classes=_class_codes("Warmtepompen"),
            questions=_heat_pump_questions(),
        ),
        FormSpec(
            code="FGO00004",
            form_code="PV_INSPECTIE",
            title="Inspectie zonnestroominstallatie (SCIOS Scope 12)",
            versions=2,
            etim_classes=_class_codes("Zonnepanelen", "Omvormers"),
            questions=_pv_questions(),
        ),
        FormSpec(
            code="FGO00005",
            form_code="CO_MELDER",
            title="Controle koolmonoxidemelders",
            versions=1,
            etim_classes=_class_codes("CO-melders"),
            questions=_co_detector_questions(),
        ),
        FormSpec(
            code="FGO00006",
            form_code="VENT_NEN1087",
            title="Ventilatiecontrole woning (NEN 1087)",
            versions=2,
            etim_classes=_class_codes("Ventilatie-units"),
            questions=_ventilation_questions(),
        ),
        FormSpec(
            code="FGO00007",
            form_code="WARMWATER",
            title="Onderhoud warmwatertoestel",
            versions=1,
            etim_classes=_class_codes("Boilers"),
            questions=_water_heater_questions(),
        ),
        FormSpec(
            code="FGO00008",
            form_code="LEGIONELLA",
            title="Legionella-risicoinventarisatie drinkwater",
            versions=1,
            etim_classes=_class_codes("Boilers"),
            questions=_legionella_questions(),
        ),
        FormSpec(
            code="FGO00009",
            form_code="ROOKGAS",
            title="Controle rookgasafvoer",
            versions=1,
            etim_classes=_class_codes("CV-toestellen"),
            questions=_flue_questions(),
        ),
        FormSpec(
            code="FGO00010",
            form_code="OMVORMER",
            title="Vervanging omvormer",
            versions=1,
            etim_classes=_class_codes("Omvormers"),
            questions=_inverter_questions(),
        ),
        FormSpec(
            code="FGO00011",
            form_code="WTW_ONDERHOUD",
            title="Onderhoud WTW-unit",
            versions=1,
            etim_classes=_class_codes("Ventilatie-units"),
            questions=_heat_recovery_questions(),
        ),
        FormSpec(
            code="FGO00012",
            form_code="OPLEVERING",
            title="Opleverformulier installatie",
            versions=2,
            etim_classes=(),
            questions=_handover_questions(),
        ),
        FormSpec(
            code="FGO00013",
            form_code="HYBRIDE_WP",
            title="Inbedrijfstelling hybride warmtepomp",
            versions=1,
            etim_classes=_class_codes("Warmtepompen", "CV-toestellen"),
            questions=_hybrid_questions(),
        ),
    ]


def build_forms() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for spec in build_form_specs():
        records.extend(spec.to_records())

    return records
