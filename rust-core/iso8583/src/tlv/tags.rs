//! Tags used in field 55 and in the UnionPay parameter and CA public key downloads: the
//! dictionary, kept apart from the parser (which needs none of it).

use super::Tag;

/// `70`: EMV proprietary template (READ RECORD response), constructed.
pub const EMV_TEMPLATE: Tag = Tag::known(0x70);
/// `71`: issuer script template 1, constructed.
pub const ISSUER_SCRIPT_TEMPLATE_1: Tag = Tag::known(0x71);
/// `72`: issuer script template 2, constructed.
pub const ISSUER_SCRIPT_TEMPLATE_2: Tag = Tag::known(0x72);
/// `77`: response message template format 2, constructed.
pub const RESPONSE_TEMPLATE_FORMAT_2: Tag = Tag::known(0x77);

/// `4F`: application identifier (card).
pub const APPLICATION_IDENTIFIER: Tag = Tag::known(0x4F);
/// `57`: track 2 equivalent data.
pub const TRACK2_EQUIVALENT_DATA: Tag = Tag::known(0x57);
/// `5A`: application primary account number.
pub const PAN: Tag = Tag::known(0x5A);
/// `5F2A`: transaction currency code (`0156` for CNY).
pub const TRANSACTION_CURRENCY_CODE: Tag = Tag::known(0x5F2A);
/// `5F34`: PAN sequence number.
pub const PAN_SEQUENCE_NUMBER: Tag = Tag::known(0x5F34);
/// `82`: application interchange profile.
pub const APPLICATION_INTERCHANGE_PROFILE: Tag = Tag::known(0x82);
/// `84`: dedicated file name.
pub const DEDICATED_FILE_NAME: Tag = Tag::known(0x84);
/// `8A`: authorisation response code.
pub const AUTHORISATION_RESPONSE_CODE: Tag = Tag::known(0x8A);
/// `91`: issuer authentication data.
pub const ISSUER_AUTHENTICATION_DATA: Tag = Tag::known(0x91);
/// `95`: terminal verification results.
pub const TERMINAL_VERIFICATION_RESULTS: Tag = Tag::known(0x95);
/// `9A`: transaction date, YYMMDD.
pub const TRANSACTION_DATE: Tag = Tag::known(0x9A);
/// `9C`: transaction type.
pub const TRANSACTION_TYPE: Tag = Tag::known(0x9C);
/// `9F02`: amount, authorised.
pub const AMOUNT_AUTHORISED: Tag = Tag::known(0x9F02);
/// `9F03`: amount, other.
pub const AMOUNT_OTHER: Tag = Tag::known(0x9F03);
/// `9F06`: application identifier (terminal); also the RID in CA key downloads.
pub const AID_TERMINAL: Tag = Tag::known(0x9F06);
/// `9F08`: application version number (the AID's version in parameter downloads).
pub const APPLICATION_VERSION_NUMBER: Tag = Tag::known(0x9F08);
/// `9F09`: application version number (terminal).
pub const APPLICATION_VERSION_NUMBER_TERMINAL: Tag = Tag::known(0x9F09);
/// `9F10`: issuer application data.
pub const ISSUER_APPLICATION_DATA: Tag = Tag::known(0x9F10);
/// `9F1A`: terminal country code.
pub const TERMINAL_COUNTRY_CODE: Tag = Tag::known(0x9F1A);
/// `9F1B`: terminal floor limit.
pub const TERMINAL_FLOOR_LIMIT: Tag = Tag::known(0x9F1B);
/// `9F1E`: interface device serial number.
pub const INTERFACE_DEVICE_SERIAL_NUMBER: Tag = Tag::known(0x9F1E);
/// `9F22`: certification authority public key index.
pub const CA_PUBLIC_KEY_INDEX: Tag = Tag::known(0x9F22);
/// `9F26`: application cryptogram.
pub const APPLICATION_CRYPTOGRAM: Tag = Tag::known(0x9F26);
/// `9F27`: cryptogram information data.
pub const CRYPTOGRAM_INFORMATION_DATA: Tag = Tag::known(0x9F27);
/// `9F33`: terminal capabilities.
pub const TERMINAL_CAPABILITIES: Tag = Tag::known(0x9F33);
/// `9F34`: cardholder verification method results.
pub const CVM_RESULTS: Tag = Tag::known(0x9F34);
/// `9F35`: terminal type.
pub const TERMINAL_TYPE: Tag = Tag::known(0x9F35);
/// `9F36`: application transaction counter.
pub const APPLICATION_TRANSACTION_COUNTER: Tag = Tag::known(0x9F36);
/// `9F37`: unpredictable number.
pub const UNPREDICTABLE_NUMBER: Tag = Tag::known(0x9F37);
/// `9F41`: transaction sequence counter.
pub const TRANSACTION_SEQUENCE_COUNTER: Tag = Tag::known(0x9F41);
/// `9F7B`: electronic cash terminal transaction limit.
pub const EC_TERMINAL_TRANSACTION_LIMIT: Tag = Tag::known(0x9F7B);

/// `DF01`: application selection indicator (parameter download).
pub const APPLICATION_SELECTION_INDICATOR: Tag = Tag::known(0xDF01);
/// `DF02`: CA public key modulus (CA key download).
pub const CAPK_MODULUS: Tag = Tag::known(0xDF02);
/// `DF03`: CA public key checksum (CA key download).
pub const CAPK_CHECKSUM: Tag = Tag::known(0xDF03);
/// `DF04`: CA public key exponent (CA key download).
pub const CAPK_EXPONENT: Tag = Tag::known(0xDF04);
/// `DF05`: CA public key expiry date, ASCII `YYYYMMDD` (CA key download).
pub const CAPK_EXPIRY: Tag = Tag::known(0xDF05);
/// `DF06`: CA public key hash algorithm indicator (CA key download).
pub const CAPK_HASH_ALGORITHM: Tag = Tag::known(0xDF06);
/// `DF07`: CA public key algorithm indicator (CA key download).
pub const CAPK_ALGORITHM: Tag = Tag::known(0xDF07);
/// `DF11`: terminal action code, default (parameter download).
pub const TAC_DEFAULT: Tag = Tag::known(0xDF11);
/// `DF12`: terminal action code, online (parameter download).
pub const TAC_ONLINE: Tag = Tag::known(0xDF12);
/// `DF13`: terminal action code, denial (parameter download).
pub const TAC_DENIAL: Tag = Tag::known(0xDF13);
/// `DF14`: default DDOL (parameter download).
pub const DEFAULT_DDOL: Tag = Tag::known(0xDF14);
/// `DF15`: threshold value for biased random selection (parameter download).
pub const RANDOM_SELECTION_THRESHOLD: Tag = Tag::known(0xDF15);
/// `DF16`: maximum target percentage for biased random selection (parameter download).
pub const RANDOM_SELECTION_MAX_PERCENTAGE: Tag = Tag::known(0xDF16);
/// `DF17`: target percentage for random selection (parameter download).
pub const RANDOM_SELECTION_TARGET_PERCENTAGE: Tag = Tag::known(0xDF17);
/// `DF18`: terminal online PIN capability (parameter download).
pub const ONLINE_PIN_CAPABILITY: Tag = Tag::known(0xDF18);
/// `DF19`: contactless reader offline floor limit (parameter download).
pub const CONTACTLESS_FLOOR_LIMIT: Tag = Tag::known(0xDF19);
/// `DF20`: contactless reader transaction limit (parameter download).
pub const CONTACTLESS_TRANSACTION_LIMIT: Tag = Tag::known(0xDF20);
/// `DF21`: contactless reader CVM required limit (parameter download).
pub const CONTACTLESS_CVM_LIMIT: Tag = Tag::known(0xDF21);

/// Every constant above, for tests.
#[cfg(test)]
pub(crate) const ALL: &[Tag] = &[
    EMV_TEMPLATE,
    ISSUER_SCRIPT_TEMPLATE_1,
    ISSUER_SCRIPT_TEMPLATE_2,
    RESPONSE_TEMPLATE_FORMAT_2,
    APPLICATION_IDENTIFIER,
    TRACK2_EQUIVALENT_DATA,
    PAN,
    TRANSACTION_CURRENCY_CODE,
    PAN_SEQUENCE_NUMBER,
    APPLICATION_INTERCHANGE_PROFILE,
    DEDICATED_FILE_NAME,
    AUTHORISATION_RESPONSE_CODE,
    ISSUER_AUTHENTICATION_DATA,
    TERMINAL_VERIFICATION_RESULTS,
    TRANSACTION_DATE,
    TRANSACTION_TYPE,
    AMOUNT_AUTHORISED,
    AMOUNT_OTHER,
    AID_TERMINAL,
    APPLICATION_VERSION_NUMBER,
    APPLICATION_VERSION_NUMBER_TERMINAL,
    ISSUER_APPLICATION_DATA,
    TERMINAL_COUNTRY_CODE,
    TERMINAL_FLOOR_LIMIT,
    INTERFACE_DEVICE_SERIAL_NUMBER,
    CA_PUBLIC_KEY_INDEX,
    APPLICATION_CRYPTOGRAM,
    CRYPTOGRAM_INFORMATION_DATA,
    TERMINAL_CAPABILITIES,
    CVM_RESULTS,
    TERMINAL_TYPE,
    APPLICATION_TRANSACTION_COUNTER,
    UNPREDICTABLE_NUMBER,
    TRANSACTION_SEQUENCE_COUNTER,
    EC_TERMINAL_TRANSACTION_LIMIT,
    APPLICATION_SELECTION_INDICATOR,
    CAPK_MODULUS,
    CAPK_CHECKSUM,
    CAPK_EXPONENT,
    CAPK_EXPIRY,
    CAPK_HASH_ALGORITHM,
    CAPK_ALGORITHM,
    TAC_DEFAULT,
    TAC_ONLINE,
    TAC_DENIAL,
    DEFAULT_DDOL,
    RANDOM_SELECTION_THRESHOLD,
    RANDOM_SELECTION_MAX_PERCENTAGE,
    RANDOM_SELECTION_TARGET_PERCENTAGE,
    ONLINE_PIN_CAPABILITY,
    CONTACTLESS_FLOOR_LIMIT,
    CONTACTLESS_TRANSACTION_LIMIT,
    CONTACTLESS_CVM_LIMIT,
];
