//! QEMU prints doubles with 17 significant digits (`%.17g`); each must
//! decode to the very double QEMU had, so that what a client re-sends (or
//! a mock replays) is QEMU's value, not one a unit in the last place off.

use qapi_types::Mode;

#[test]
fn doubles_printed_with_17_digits_decode_exactly() {
    // From QEMU 10.0.2's `query-migrate` reply (`mbps`), and doubles whose
    // last digit a fast, inexact parse gets wrong.
    for text in [
        "891.55680000000007",
        "0.30000000000000004",
        "2.2250738585072014e-308",
        "9007199254740993.0",
        "1.7976931348623157e308",
    ] {
        let decoded: f64 = qapi_types::from_str(text, Mode::Strict).unwrap();
        let exact: f64 = text.parse().unwrap();
        assert_eq!(decoded.to_bits(), exact.to_bits(), "{text}");
    }
}
