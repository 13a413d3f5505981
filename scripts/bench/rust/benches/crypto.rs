//! MAC and PIN-block micro-benchmarks (issue #9): the MACs a terminal computes over every
//! financial message (CUP ECB, X9.9, X9.19) on the real MAC block of the 0200 sale, and the
//! ISO 9564 PIN blocks (format 0 and 3) under a double-length PIK, and the cost of making a key.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use unipos_crypto::mac::{compute, verify_mac};
use unipos_crypto::pin::{decrypt_pin, encrypt_pin};
use unipos_crypto::random::DeterministicRandom;
use unipos_crypto::{DesKey, MacAlgorithm, MacPadding, PinBlockFormat};
use unipos_iso8583::cup;

const MAK: &str = "C24A8FB57AA20123FEDCBA9876543210";
const MAK_SINGLE: &str = "C24A8FB57AA20123";
const PIK: &str = "0123456789ABCDEFFEDCBA9876543210";
const PAN: &str = "6212260200024125573";

fn macs(c: &mut Criterion) {
    let (Ok(mak), Ok(mak1), Some(wire)) = (
        DesKey::from_hex(MAK),
        DesKey::from_hex(MAK_SINGLE),
        unipos_bench::sale_wire(),
    ) else {
        eprintln!("fixtures do not build");
        return;
    };
    let Some(mab) = cup::mac_block(&wire) else {
        return;
    };
    let mut g = c.benchmark_group("mac_0200_sale");
    g.throughput(Throughput::Bytes(mab.len() as u64));
    for (name, alg, key) in [
        ("cup_ecb_double", MacAlgorithm::CupEcb, &mak),
        ("cup_ecb_single", MacAlgorithm::CupEcb, &mak1),
        ("x9_9_single", MacAlgorithm::X99, &mak1),
        ("x9_19_double", MacAlgorithm::X919, &mak),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| compute(alg, black_box(key), black_box(mab), MacPadding::Method1))
        });
    }
    g.finish();
    let a = [0x5Au8; 8];
    let bb = [0x5Au8; 8];
    c.bench_function("mac_verify_constant_time", |b| {
        b.iter(|| verify_mac(black_box(&a), black_box(&bb)))
    });
}

fn pin_blocks(c: &mut Criterion) {
    let Ok(pik) = DesKey::from_hex(PIK) else {
        return;
    };
    let mut rng = DeterministicRandom::new(7);
    let mut g = c.benchmark_group("pin_block");
    for (name, format) in [
        ("iso0", PinBlockFormat::Iso0),
        ("iso3", PinBlockFormat::Iso3),
    ] {
        g.bench_function(format!("encrypt_{name}"), |b| {
            b.iter(|| encrypt_pin(black_box(&pik), format, black_box("123456"), PAN, &mut rng))
        });
        let Ok(block) = encrypt_pin(&pik, format, "123456", PAN, &mut rng) else {
            return;
        };
        g.bench_function(format!("decrypt_{name}"), |b| {
            b.iter(|| decrypt_pin(black_box(&pik), format, black_box(&block), PAN).is_ok())
        });
    }
    g.finish();
}

/// Making a key expands its DES key schedule once (keys.rs); the terminal does it at sign-in,
/// once for each work key.
fn key_expansion(c: &mut Criterion) {
    let mut g = c.benchmark_group("key_expansion");
    for (name, bytes) in [("single", &[0x5Au8; 8][..]), ("double", &[0x5Au8; 16][..])] {
        g.bench_function(name, |b| {
            b.iter(|| DesKey::from_bytes(black_box(bytes)).is_ok())
        });
    }
    g.finish();
}

criterion_group!(benches, macs, pin_blocks, key_expansion);
criterion_main!(benches);
