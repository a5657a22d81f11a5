//! A reader for the safetensors format (what `safetensors.torch.save_file` writes): an 8-byte
//! little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
//! then the data. Floating-point tensors are read as f32 (float64 narrowed, float16 and bfloat16
//! widened exactly, as `module.float()` does). Written here, with its own small JSON parser, so
//! that the library pulls in no JSON crate.

use crate::error::{Error, Result};
use crate::tensor::{Tensor, checked_numel, with_capacity};

/// The tensors of one safetensors file, borrowed from its bytes.
#[derive(Debug)]
pub(crate) struct SafeTensors<'a> {
    entries: Vec<Entry<'a>>,
}

#[derive(Debug)]
struct Entry<'a> {
    name: String,
    dtype: String,
    shape: Vec<usize>,
    data: &'a [u8],
}

fn bad(msg: impl std::fmt::Display) -> Error {
    Error::Weights(format!("not a safetensors file: {msg}"))
}

impl<'a> SafeTensors<'a> {
    /// Parses the header of `bytes` and checks every tensor's byte range.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let len: [u8; 8] = bytes
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("shorter than its 8-byte header length"))?;
        let len = u64::from_le_bytes(len);
        let body = 8u64
            .checked_add(len)
            .filter(|&end| end <= bytes.len() as u64)
            .ok_or_else(|| {
                bad(format!(
                    "a header of {len} bytes in a file of {}",
                    bytes.len()
                ))
            })? as usize;
        let header =
            std::str::from_utf8(&bytes[8..body]).map_err(|_| bad("the header is not UTF-8"))?;
        let data = &bytes[body..];
        let Json::Object(items) = Json::parse(header)? else {
            return Err(bad("the header is not a JSON object"));
        };
        let mut entries = Vec::with_capacity(items.len());
        for (name, info) in items {
            if name == "__metadata__" {
                continue;
            }
            let field = |key: &str| {
                info.get(key)
                    .ok_or_else(|| bad(format!("tensor {name:?} has no {key:?}")))
            };
            let Json::String(dtype) = field("dtype")? else {
                return Err(bad(format!("tensor {name:?}: dtype is not a string")));
            };
            let shape = field("shape")?.usizes().ok_or_else(|| bad("a bad shape"))?;
            let offsets = field("data_offsets")?
                .usizes()
                .filter(|o| o.len() == 2 && o[0] <= o[1] && o[1] <= data.len())
                .ok_or_else(|| bad(format!("tensor {name:?}: data_offsets out of the file")))?;
            let tensor = &data[offsets[0]..offsets[1]];
            if let Some(size) = dtype_size(dtype) {
                let numel = checked_numel(&shape)?;
                if numel.checked_mul(size) != Some(tensor.len()) {
                    return Err(bad(format!(
                        "tensor {name:?} of shape {shape:?} and dtype {dtype} has {} bytes",
                        tensor.len()
                    )));
                }
            }
            entries.push(Entry {
                name: name.clone(),
                dtype: dtype.clone(),
                shape,
                data: tensor,
            });
        }
        Ok(SafeTensors { entries })
    }

    /// The tensor `name` as f32, or an error naming the tensors the file has, or the dtype.
    pub fn tensor(&self, name: &str) -> Result<Tensor> {
        let Some(e) = self.entries.iter().find(|e| e.name == name) else {
            let mut names: Vec<&str> = self.entries.iter().map(|e| e.name.as_str()).collect();
            names.sort();
            return Err(Error::Weights(format!(
                "no tensor {name:?} in the safetensors file (it has: {})",
                names.join(", ")
            )));
        };
        // The dtype first: only a float tensor's shape was checked against its bytes.
        let (width, decode): (usize, fn(&[u8]) -> f32) = match e.dtype.as_str() {
            "F32" => (4, |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            "F64" => (8, |b| {
                f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }),
            "F16" => (2, |b| f16_to_f32(u16::from_le_bytes([b[0], b[1]]))),
            "BF16" => (2, |b| {
                f32::from_bits((u16::from_le_bytes([b[0], b[1]]) as u32) << 16)
            }),
            other => {
                return Err(Error::Weights(format!(
                    "tensor {name:?} has dtype {other}; expected a floating-point tensor \
                     (float32, float64, float16 or bfloat16)"
                )));
            }
        };
        let mut data = with_capacity(checked_numel(&e.shape)?)?;
        data.extend(e.data.chunks_exact(width).map(decode));
        Tensor::new(&e.shape, data)
    }
}

/// Bytes per element of the dtypes safetensors defines (`None`: unknown, not checked).
fn dtype_size(dtype: &str) -> Option<usize> {
    Some(match dtype {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" => 1,
        "U16" | "I16" | "F16" | "BF16" => 2,
        "U32" | "I32" | "F32" => 4,
        "U64" | "I64" | "F64" => 8,
        _ => return None,
    })
}

/// IEEE half precision to f32, exactly (every f16 is an f32).
fn f16_to_f32(h: u16) -> f32 {
    let negative = h >> 15 == 1;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let sign = (negative as u32) << 31;
    match exp {
        // Zero and subnormals: frac · 2^-24.
        0 => {
            let v = frac as f32 * 2f32.powi(-24);
            if negative { -v } else { v }
        }
        // Infinity and NaN.
        0x1f => f32::from_bits(sign | 0x7f80_0000 | (frac << 13)),
        _ => f32::from_bits(sign | ((exp + 127 - 15) << 23) | (frac << 13)),
    }
}

/// A JSON value (what a safetensors header holds).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    String(String),
    /// A number as written (integers are read from it exactly).
    Number(String),
    Bool(bool),
    Null,
}

impl Json {
    fn parse(text: &str) -> Result<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
        };
        let v = p.value(0)?;
        p.space();
        if p.at != p.s.len() {
            return Err(bad("trailing characters after the JSON header"));
        }
        Ok(v)
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// An array of non-negative integers.
    fn usizes(&self) -> Option<Vec<usize>> {
        match self {
            Json::Array(items) => items
                .iter()
                .map(|v| match v {
                    Json::Number(n) => n.parse().ok(),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }
}

struct Parser<'s> {
    s: &'s [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        self.space();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            Ok(())
        } else {
            Err(bad(format!(
                "expected {:?} at byte {} of the header",
                c as char, self.at
            )))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json> {
        if depth > 64 {
            return Err(bad("the header nests too deeply"));
        }
        self.space();
        match self.s.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.s.get(self.at) == Some(&b'}') {
                    self.at += 1;
                    return Ok(Json::Object(items));
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    self.expect(b':')?;
                    items.push((key, self.value(depth + 1)?));
                    self.space();
                    match self.s.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Object(items));
                        }
                        _ => return Err(bad("an unterminated object in the header")),
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.s.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.s.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(bad("an unterminated array in the header")),
                    }
                }
            }
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.at;
                while self
                    .s
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_digit() || b"+-.eE".contains(c))
                {
                    self.at += 1;
                }
                let n = std::str::from_utf8(&self.s[start..self.at]).expect("ASCII");
                Ok(Json::Number(n.to_string()))
            }
            _ => Err(bad(format!(
                "no JSON value at byte {} of the header",
                self.at
            ))),
        }
    }

    fn word(&mut self, word: &str, v: Json) -> Result<Json> {
        if self.s[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(v)
        } else {
            Err(bad(format!(
                "no JSON value at byte {} of the header",
                self.at
            )))
        }
    }

    fn string(&mut self) -> Result<String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let c = *self
                .s
                .get(self.at)
                .ok_or_else(|| bad("an unterminated string in the header"))?;
            self.at += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *self
                        .s
                        .get(self.at)
                        .ok_or_else(|| bad("an unterminated string in the header"))?;
                    self.at += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self
                                .s
                                .get(self.at..self.at + 4)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .ok_or_else(|| bad("a bad \\u escape in the header"))?;
                            self.at += 4;
                            char::from_u32(hex).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(bad("a bad escape in the header")),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| bad("the header is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn reads_every_float_dtype() {
        let mut data = Vec::new();
        data.extend([1.5f32, -2.0].iter().flat_map(|v| v.to_le_bytes()));
        data.extend([0.25f64].iter().flat_map(|v| v.to_le_bytes()));
        data.extend(
            [0x3c00u16, 0xc000, 0x0001]
                .iter()
                .flat_map(|v| v.to_le_bytes()),
        ); // f16
        data.extend([0x3f80u16].iter().flat_map(|v| v.to_le_bytes())); // bf16 1.0
        let header = r#"{"__metadata__": {"format": "pt"},
            "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F64", "shape": [1, 1], "data_offsets": [8, 16]},
            "c": {"dtype": "F16", "shape": [3], "data_offsets": [16, 22]},
            "d": {"dtype": "BF16", "shape": [], "data_offsets": [22, 24]}}  "#;
        let bytes = file(header, &data);
        let f = SafeTensors::parse(&bytes).unwrap();
        assert_eq!(f.tensor("a").unwrap().data(), [1.5, -2.0]);
        assert_eq!(f.tensor("b").unwrap().shape(), [1, 1]);
        assert_eq!(f.tensor("b").unwrap().data(), [0.25]);
        assert_eq!(f.tensor("c").unwrap().data(), [1.0, -2.0, 2f32.powi(-24)]);
        assert_eq!(f.tensor("d").unwrap().data(), [1.0]);
        let e = f.tensor("e").unwrap_err().to_string();
        assert!(e.contains("it has: a, b, c, d"), "{e}");
    }

    #[test]
    fn f16_conversion_is_exact() {
        for (h, f) in [
            (0x0000u16, 0.0f32),
            (0x8000, -0.0),
            (0x3555, 0.333_251_95),
            (0x7bff, 65504.0),
            (0x0400, 6.103_515_6e-5),
            (0x03ff, 6.097_555e-5),
            (0x7c00, f32::INFINITY),
            (0xfc00, f32::NEG_INFINITY),
        ] {
            assert_eq!(f16_to_f32(h).to_bits(), f.to_bits(), "{h:#x}");
        }
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn bad_files_are_errors() {
        for bytes in [
            b"short".to_vec(),
            file("{", &[]),
            file("[]", &[]),
            file(
                r#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#,
                &[0; 4],
            ),
            file(
                r#"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#,
                &[0; 8],
            ),
            file(r#"{"a": {"shape": [2], "data_offsets": [0, 8]}}"#, &[0; 8]),
            {
                let mut v = file("{}", &[]);
                v[0] = 200;
                v
            },
        ] {
            let e = SafeTensors::parse(&bytes).unwrap_err();
            assert!(
                matches!(e, Error::Weights(ref m) if m.starts_with("not a safetensors")),
                "{e}"
            );
        }
        let bytes = file(
            r#"{"i": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}"#,
            &[0; 8],
        );
        let e = SafeTensors::parse(&bytes).unwrap().tensor("i").unwrap_err();
        assert!(e.to_string().contains("dtype I64"), "{e}");
    }
}
