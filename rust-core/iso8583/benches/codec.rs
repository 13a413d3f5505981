//! Pack and unpack of a realistic UnionPay 0200 IC-card sale with field 55.
//!
//! Goal (foundation issue): under 1 µs each, with no heap allocation on unpack apart from
//! the result (one buffer for all values).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use unipos_iso8583::{cup, Message, Mti};

/// The field-55 blob of `shared/vectors/CRYPTO.md` (112 bytes).
const FIELD_55: &str = "9F2608BBFD1BFACF6A64299F2701809F100807000103A0A002019F3704989636539F36020334950500800088009A031603099C01319F02060000000000005F2A02015682023C009F1A0201569F03060000000000009F3303E0E1C89F34031E03009F3501229F1E083132333435363738";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// A 0200 contact-IC sale as a terminal sends it.
pub fn sale() -> Message {
    let mut m = Message::new(Mti::new("0200").unwrap_or_else(|| unreachable!()));
    let fields: [(u8, &[u8]); 17] = [
        (2, b"6212260200024125573"),
        (3, b"000000"),
        (4, b"000000073700"),
        (11, b"002332"),
        (14, b"2302"),
        (22, b"051"),
        (23, b"001"),
        (25, b"00"),
        (26, b"12"),
        (35, b"6212260200024125573D23022201234567890"),
        (41, b"00006590"),
        (42, b"713100058120611"),
        (49, b"156"),
        (53, b"2600000000000000"),
        (60, b"22000065000501"),
        (63, b"001"),
        (64, b"00000000"),
    ];
    for (n, v) in fields {
        let _ = m.set(n, v);
    }
    let _ = m.set(52, [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0]);
    let _ = m.set(55, unhex(FIELD_55));
    m
}

fn bench(c: &mut Criterion) {
    let spec = cup::profile();
    let msg = sale();
    let wire = match spec.pack(&msg) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("benchmark message does not pack: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("iso8583_0200_sale_with_f55");
    group.bench_function("pack", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            out.clear();
            let r = spec.pack_into(black_box(&msg), &mut out);
            black_box((r.is_ok(), out.len()))
        })
    });
    group.bench_function("unpack", |b| {
        b.iter(|| black_box(spec.unpack(black_box(&wire)).map(|m| m.has(55))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
