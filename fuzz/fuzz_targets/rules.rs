//! The rules loader: any TOML or JSON text is either loaded and validated or refused
//! with an error, never a panic.
#![no_main]

use ats_bridge::rules::Rules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Rules::from_toml(text);
    let _ = Rules::from_json(text);
});
