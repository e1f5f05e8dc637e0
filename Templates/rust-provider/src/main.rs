//! {{crate_name}}: a wasmCloud capability provider, std only.
//!
//! A wasmCloud host starts a provider with one line on its standard input: the host data, a JSON object
//! encoded in base64. This provider logs its provider key and lattice to stderr, serves until the host
//! closes stdin, and exits 0. Replace `serve` with your capability.

use std::io::{self, BufRead, Read};
use std::process::ExitCode;

const NAME: &str = env!("CARGO_BIN_NAME");

fn main() -> ExitCode {
    let mut input = io::stdin().lock();
    let mut line = String::new();
    if let Err(err) = input.read_line(&mut line) {
        eprintln!("{NAME}: error: cannot read host data from stdin: {err}");
        return ExitCode::FAILURE;
    }
    let line = line.trim();
    if line.is_empty() {
        eprintln!("{NAME}: no host data given on stdin; exiting");
        return ExitCode::SUCCESS;
    }
    match host_data(line) {
        Ok((provider_key, lattice)) => {
            eprintln!("{NAME}: started with provider key {provider_key} on lattice {lattice}")
        }
        Err(reason) => {
            eprintln!("{NAME}: error: malformed host data: {reason}");
            return ExitCode::FAILURE;
        }
    }
    serve(&mut input)
}

/// Serves until the host closes stdin.
fn serve(input: &mut impl Read) -> ExitCode {
    match io::copy(input, &mut io::sink()) {
        Ok(_) => {
            eprintln!("{NAME}: stdin closed; shutting down");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{NAME}: error: reading stdin failed: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The provider key and lattice from the host data line.
fn host_data(line: &str) -> Result<(String, String), String> {
    let json = String::from_utf8(base64_decode(line)?).map_err(|_| "not UTF-8")?;
    let fields = Json {
        text: json.as_bytes(),
        at: 0,
    }
    .object_strings()?;
    let field = |key: &str| {
        let value = fields
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone());
        value.ok_or(format!("no {key} in host data"))
    };
    Ok((field("provider_key")?, field("lattice_rpc_prefix")?))
}

/// Decodes standard base64; the padding is optional.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0u32);
    for byte in text.trim_end_matches('=').bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("not base64 (character {:?})", byte as char)),
        };
        bits = (bits << 6) | u32::from(sextet);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Ok(out)
}

/// Just enough JSON to read the string members of one object and skip everything else.
struct Json<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Json<'a> {
    /// The string members of the top-level object; members of other types are skipped.
    fn object_strings(mut self) -> Result<Vec<(String, String)>, String> {
        let mut strings = Vec::new();
        self.members(b'{', b'}', |json| {
            let key = json.string()?;
            json.expect(b':')?;
            if json.peek() == Some(b'"') {
                strings.push((key, json.string()?));
                Ok(())
            } else {
                json.value()
            }
        })?;
        match self.peek() {
            None => Ok(strings),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    fn peek(&mut self) -> Option<u8> {
        while matches!(self.text.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
        self.text.get(self.at).copied()
    }

    fn error(&self, what: &str) -> String {
        format!("invalid JSON at offset {}: {what}", self.at)
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() != Some(byte) {
            return Err(self.error(&format!("expected '{}'", byte as char)));
        }
        self.at += 1;
        Ok(())
    }

    /// Parses `open item, item, … close`.
    fn members(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.expect(open)?;
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(byte) if byte == close => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.error(&format!("expected ',' or '{}'", close as char))),
            }
        }
    }

    /// Skips one value of any type.
    fn value(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(b'{') => self.members(b'{', b'}', |json| {
                json.string()?;
                json.expect(b':')?;
                json.value()
            }),
            Some(b'[') => self.members(b'[', b']', Self::value),
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => {
                let number = self
                    .take(|byte| matches!(byte, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'));
                match std::str::from_utf8(number).map(str::parse::<f64>) {
                    Ok(Ok(_)) => Ok(()),
                    _ => Err(self.error("bad number")),
                }
            }
            Some(_) => match self.take(|byte| byte.is_ascii_lowercase()) {
                b"true" | b"false" | b"null" => Ok(()),
                _ => Err(self.error("expected a value")),
            },
            None => Err(self.error("expected a value")),
        }
    }

    /// Consumes the bytes that `keep` accepts and returns them.
    fn take(&mut self, keep: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.at;
        while self.text.get(self.at).is_some_and(|&byte| keep(byte)) {
            self.at += 1;
        }
        &self.text[start..self.at]
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let byte = *self
                .text
                .get(self.at)
                .ok_or_else(|| self.error("unterminated string"))?;
            self.at += 1;
            match byte {
                b'"' => {
                    return String::from_utf8(out).map_err(|_| self.error("string is not UTF-8"))
                }
                b'\\' => {
                    let escaped = *self
                        .text
                        .get(self.at)
                        .ok_or_else(|| self.error("unterminated escape"))?;
                    self.at += 1;
                    let char = match escaped {
                        b'"' | b'\\' | b'/' => escaped as char,
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self
                                .text
                                .get(self.at..self.at + 4)
                                .ok_or_else(|| self.error("short \\u escape"))?;
                            self.at += 4;
                            let code = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                            // Surrogate pairs are not combined: a lone half becomes U+FFFD.
                            code.map(|code| char::from_u32(code).unwrap_or('\u{fffd}'))
                                .ok_or_else(|| self.error("bad \\u escape"))?
                        }
                        _ => return Err(self.error("unknown escape")),
                    };
                    out.extend_from_slice(char.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return Err(self.error("control character in string")),
                _ => out.push(byte),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64_with_and_without_padding() {
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGk").unwrap(), b"hi");
        assert!(base64_decode("a$k=").is_err());
    }

    #[test]
    fn reads_string_members_and_skips_the_rest() {
        let json = r#"{"a":"x\u00e9","n":[1,{"b":"y"}],"c":null,"d":-1.5e3}"#;
        let fields = Json {
            text: json.as_bytes(),
            at: 0,
        }
        .object_strings()
        .unwrap();
        assert_eq!(fields, vec![("a".to_string(), "xé".to_string())]);
        for bad in ["[1]", r#"{"a":"x""#, r#"{"a":nope}"#, r#"{"a":1} x"#] {
            assert!(
                Json {
                    text: bad.as_bytes(),
                    at: 0
                }
                .object_strings()
                .is_err(),
                "{bad}"
            );
        }
    }
}
