//! A minimal wasmCloud capability provider, std only.
//!
//! A wasmCloud host starts a provider with one line on its standard input: the host data, a JSON
//! object encoded in base64. This provider decodes it, logs its provider key and lattice to stderr,
//! then keeps reading stdin and exits cleanly (status 0) when the host closes it.
//! With no host data it says so and exits 0; with malformed host data it logs an error and exits 1.

use std::io::{self, BufRead, Read};
use std::process::ExitCode;

const NAME: &str = env!("CARGO_PKG_NAME");

fn main() -> ExitCode {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut first = String::new();
    if let Err(err) = input.read_line(&mut first) {
        eprintln!("{NAME}: error: cannot read host data from stdin: {err}");
        return ExitCode::from(1);
    }
    let line = first.trim();
    if line.is_empty() {
        eprintln!("{NAME}: no host data given on stdin; exiting");
        return ExitCode::SUCCESS;
    }
    match host_data(line) {
        Ok(data) => eprintln!(
            "{NAME}: started with provider key {} on lattice {}",
            data.provider_key, data.lattice
        ),
        Err(reason) => {
            eprintln!("{NAME}: error: malformed host data: {reason}");
            return ExitCode::from(1);
        }
    }
    drain(&mut input)
}

/// Reads stdin until the host closes it, then exits cleanly.
fn drain(input: &mut impl Read) -> ExitCode {
    let mut buffer = [0u8; 4096];
    loop {
        match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                eprintln!("{NAME}: error: reading stdin failed: {err}");
                return ExitCode::from(1);
            }
        }
    }
    eprintln!("{NAME}: stdin closed; shutting down");
    ExitCode::SUCCESS
}

/// The fields of wasmCloud's `HostData` this provider uses.
struct HostData {
    provider_key: String,
    lattice: String,
}

fn host_data(line: &str) -> Result<HostData, String> {
    let bytes = base64_decode(line)?;
    let text =
        String::from_utf8(bytes).map_err(|_| "decoded host data is not UTF-8".to_string())?;
    let fields = json::top_level_strings(&text)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    Ok(HostData {
        provider_key: field("provider_key").ok_or("no provider_key in host data")?,
        lattice: field("lattice_rpc_prefix").ok_or("no lattice_rpc_prefix in host data")?,
    })
}

/// Decodes standard base64 (RFC 4648 §4); padding is optional, whitespace is not allowed inside.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    fn value(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let trimmed = text.trim_end_matches('=');
    if text.len() - trimmed.len() > 2 || trimmed.len() % 4 == 1 {
        return Err("host data is not valid base64 (bad length or padding)".into());
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0u32);
    for (index, byte) in trimmed.bytes().enumerate() {
        let sextet = value(byte).ok_or_else(|| {
            format!(
                "host data is not valid base64 (character {} at offset {index})",
                byte as char
            )
        })?;
        bits = (bits << 6) | sextet;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Ok(out)
}

/// Just enough JSON to read the string members of one object, validating the rest.
mod json {
    pub fn top_level_strings(text: &str) -> Result<Vec<(String, String)>, String> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        parser.whitespace();
        if parser.peek() != Some(b'{') {
            return Err("host data is not a JSON object".into());
        }
        let mut strings = Vec::new();
        parser.object(Some(&mut strings))?;
        parser.whitespace();
        if parser.at != parser.bytes.len() {
            return Err(parser.error("trailing characters after the JSON object"));
        }
        Ok(strings)
    }

    struct Parser<'a> {
        bytes: &'a [u8],
        at: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.at).copied()
        }

        fn error(&self, what: &str) -> String {
            format!("invalid JSON at offset {}: {what}", self.at)
        }

        fn whitespace(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.at += 1;
            }
        }

        fn expect(&mut self, byte: u8) -> Result<(), String> {
            self.whitespace();
            if self.peek() != Some(byte) {
                return Err(self.error(&format!("expected '{}'", byte as char)));
            }
            self.at += 1;
            Ok(())
        }

        /// Parses an object; string members are collected when `strings` is given.
        fn object(
            &mut self,
            mut strings: Option<&mut Vec<(String, String)>>,
        ) -> Result<(), String> {
            self.expect(b'{')?;
            self.items(b'}', |parser| {
                parser.whitespace();
                let key = parser.string()?;
                parser.expect(b':')?;
                parser.whitespace();
                if parser.peek() != Some(b'"') {
                    return parser.value();
                }
                let value = parser.string()?;
                if let Some(strings) = strings.as_deref_mut() {
                    strings.push((key, value));
                }
                Ok(())
            })
        }

        fn array(&mut self) -> Result<(), String> {
            self.expect(b'[')?;
            self.items(b']', Self::value)
        }

        /// Parses comma-separated items up to and including `close`.
        fn items(
            &mut self,
            close: u8,
            mut item: impl FnMut(&mut Self) -> Result<(), String>,
        ) -> Result<(), String> {
            self.whitespace();
            if self.peek() == Some(close) {
                self.at += 1;
                return Ok(());
            }
            loop {
                item(self)?;
                self.whitespace();
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

        fn value(&mut self) -> Result<(), String> {
            self.whitespace();
            match self.peek() {
                Some(b'{') => self.object(None),
                Some(b'[') => self.array(),
                Some(b'"') => self.string().map(|_| ()),
                Some(b't') => self.literal("true"),
                Some(b'f') => self.literal("false"),
                Some(b'n') => self.literal("null"),
                Some(b'-' | b'0'..=b'9') => self.number(),
                _ => Err(self.error("expected a value")),
            }
        }

        fn literal(&mut self, word: &str) -> Result<(), String> {
            if !self.bytes[self.at..].starts_with(word.as_bytes()) {
                return Err(self.error(&format!("expected {word}")));
            }
            self.at += word.len();
            Ok(())
        }

        fn number(&mut self) -> Result<(), String> {
            let start = self.at;
            while matches!(
                self.peek(),
                Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
            ) {
                self.at += 1;
            }
            let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("");
            text.parse::<f64>()
                .map(|_| ())
                .map_err(|_| self.error("bad number"))
        }

        fn string(&mut self) -> Result<String, String> {
            self.expect(b'"')?;
            let mut out = String::new();
            loop {
                let byte = match self.peek() {
                    Some(byte) => byte,
                    None => return Err(self.error("unterminated string")),
                };
                self.at += 1;
                match byte {
                    b'"' => return Ok(out),
                    b'\\' => out.push(self.escape()?),
                    0..=0x1F => return Err(self.error("control character in string")),
                    _ => {
                        // Copy one whole UTF-8 sequence (the input is valid UTF-8).
                        let start = self.at - 1;
                        while matches!(self.peek(), Some(0x80..=0xBF)) {
                            self.at += 1;
                        }
                        out.push_str(
                            std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("\u{FFFD}"),
                        );
                    }
                }
            }
        }

        fn escape(&mut self) -> Result<char, String> {
            let byte = match self.peek() {
                Some(byte) => byte,
                None => return Err(self.error("unterminated escape")),
            };
            self.at += 1;
            Ok(match byte {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{C}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let high = self.hex4()?;
                    if (0xD800..0xDC00).contains(&high) && self.bytes[self.at..].starts_with(b"\\u")
                    {
                        self.at += 2;
                        let low = self.hex4()?;
                        let combined =
                            0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                        char::from_u32(combined).unwrap_or('\u{FFFD}')
                    } else {
                        char::from_u32(high).unwrap_or('\u{FFFD}')
                    }
                }
                _ => return Err(self.error("unknown escape")),
            })
        }

        fn hex4(&mut self) -> Result<u32, String> {
            let digits = self
                .bytes
                .get(self.at..self.at + 4)
                .ok_or_else(|| self.error("short \\u escape"))?;
            let text = std::str::from_utf8(digits).map_err(|_| self.error("bad \\u escape"))?;
            let value = u32::from_str_radix(text, 16).map_err(|_| self.error("bad \\u escape"))?;
            self.at += 4;
            Ok(value)
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
    fn reads_string_members_and_skips_others() {
        let fields =
            json::top_level_strings(r#"{"a":"x\u00e9","n":[1,{"b":"y"}],"c":null}"#).unwrap();
        assert_eq!(fields, vec![("a".to_string(), "xé".to_string())]);
        assert!(json::top_level_strings("[1]").is_err());
        assert!(json::top_level_strings(r#"{"a":"x""#).is_err());
    }
}
