//! Prints the reference messages as hex, one `name hex` per line:
//! * `sale_0200`: the codec benchmark's 0200 sale, packed (what every peer must produce);
//! * `posp_sale_frame`: the same sale framed for the host simulator's default terminal
//!   (TPDU, header, TID 62969002), MAC field zeroed: a fuzzing seed.
use unipos_iso8583::{cup, FrameLayout, Tpdu};

fn main() -> std::process::ExitCode {
    let Some(mut sale) = unipos_bench::sale() else {
        eprintln!("the reference sale does not build");
        return std::process::ExitCode::FAILURE;
    };
    let Some(wire) = unipos_bench::sale_wire() else {
        eprintln!("the reference sale does not pack");
        return std::process::ExitCode::FAILURE;
    };
    println!("sale_0200 {}", hex::encode_upper(&wire));
    let _ = sale.set(41, "62969002");
    let _ = sale.set(42, "301310048990001");
    let _ = sale.set(60, "22000001000501");
    let framed = cup::profile().pack(&sale).ok().and_then(|m| {
        FrameLayout::UNIONPAY
            .assemble(Some(Tpdu::DEFAULT), &cup::CupHeader::DEFAULT.0, &m)
            .ok()
    });
    match framed {
        Some(f) => println!("posp_sale_frame {}", hex::encode_upper(f)),
        None => {
            eprintln!("the framed sale does not pack");
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}
