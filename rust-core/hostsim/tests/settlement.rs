#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Settlement (balanced, unbalanced), batch upload and its report, TC upload, script
//! results, and the batch rules that follow.

mod common;

use common::*;
use unipos_hostsim::posp::UploadMismatch;
use unipos_hostsim::test_cards as cards;
use unipos_iso8583::cup::{
    BatchRecord, BatchRecords, CardTotals, Field60, NetworkCode, OriginalMessage, SettlementTotals,
    TransactionType,
};
use unipos_iso8583::{Message, Mti};

fn settlement(t: &mut Term, totals: SettlementTotals) -> Message {
    let mut m = Message::new(Mti::new("0500").unwrap());
    let trace = t.next_trace();
    m.set_number(11, u64::from(trace), 6).unwrap();
    m.set(41, &t.tid).unwrap();
    m.set(42, &t.mid).unwrap();
    m.set(48, totals.to_digits().unwrap()).unwrap();
    m.set(49, "156").unwrap();
    m.set(
        60,
        Field60::management(t.batch, NetworkCode::BatchSettlement).to_digits(),
    )
    .unwrap();
    m.set(63, "001").unwrap();
    m.set(64, [0u8; 8]).unwrap();
    m
}

fn upload(t: &mut Term, code: u16, txn_type: u8) -> Message {
    let mut m = Message::new(Mti::new("0320").unwrap());
    let trace = t.next_trace();
    m.set_number(11, u64::from(trace), 6).unwrap();
    m.set(41, &t.tid).unwrap();
    m.set(42, &t.mid).unwrap();
    let f60 = Field60 {
        txn_type,
        batch: t.batch,
        network_code: code,
        ..Field60::default()
    };
    m.set(60, f60.to_digits()).unwrap();
    m.set(64, [0u8; 8]).unwrap();
    m
}

fn totals(debit: (u64, u32), credit: (u64, u32), foreign_debit: (u64, u32)) -> SettlementTotals {
    SettlementTotals {
        domestic: CardTotals {
            debit_amount: debit.0,
            debit_count: debit.1,
            credit_amount: credit.0,
            credit_count: credit.1,
            result: 0,
        },
        foreign: CardTotals {
            debit_amount: foreign_debit.0,
            debit_count: foreign_debit.1,
            ..CardTotals::default()
        },
    }
}

/// Two domestic sales (one voided), a refund-free foreign sale, a declined sale and a
/// reversed sale: host totals domestic debit 3000/2, credit 1000/1, foreign debit 500/1.
fn day_of_business(t: &mut Term) -> (Message, Message) {
    let (s1, a1) = t.sale(cards::DEBIT_IC, 1_000, None);
    let (s2, _) = t.sale(cards::CAPTURE, 2_000, None);
    let mut v = t.financial(
        "0200",
        "200000",
        "00",
        TransactionType::SaleVoid,
        Some(1_000),
    );
    v.set(37, a1.rrn()).unwrap();
    v.set(61, format!("{:06}{:06}", t.batch, s1.number(11).unwrap()))
        .unwrap();
    assert_eq!(t.send(&v).code(), "00");
    t.sale(cards::FOREIGN_MASTERCARD, 500, None);
    t.sale(cards::LOW_BALANCE, 10_000, None); // 51
    let (s5, _) = t.sale(cards::DEBIT_IC, 4_000, None);
    assert_eq!(t.send(&t.reversal_of(&s5, "98")).code(), "00");
    (s1, s2)
}

#[test]
fn balanced_settlement_closes_the_batch() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let (s1, _) = day_of_business(&mut t);
    let m = settlement(&mut t, totals((3_000, 2), (1_000, 1), (500, 1)));
    let a = t.send(&m);
    assert_eq!(a.code(), "00");
    assert_eq!(a.mac_ok, Some(true));
    let back = SettlementTotals::parse(a.msg.text(48).unwrap()).unwrap();
    assert_eq!((back.domestic.result, back.foreign.result), (1, 1));
    let report = host.upload_report("62969002", 1).unwrap();
    assert!(report.closed);
    assert!(report.settlement.unwrap().domestic_balanced);
    // Next sign-in is on batch 2, and a void into the closed batch is refused.
    assert_eq!(
        t.sign_in()
            .msg
            .text(60)
            .map(|f| Field60::parse(f).unwrap().batch),
        Some(2)
    );
    let mut v = t.financial(
        "0200",
        "200000",
        "00",
        TransactionType::SaleVoid,
        Some(1_000),
    );
    v.set(61, format!("{:06}{:06}", 1, s1.number(11).unwrap()))
        .unwrap();
    assert_ne!(t.send(&v).code(), "00");
}

#[test]
fn unbalanced_settlement_then_batch_upload_reports_mismatches() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let (s1, s2) = day_of_business(&mut t);
    // The terminal thinks the foreign sale was 600 and forgot the void.
    let m = settlement(&mut t, totals((3_000, 2), (0, 0), (600, 1)));
    let a = t.send(&m);
    let back = SettlementTotals::parse(a.msg.text(48).unwrap()).unwrap();
    assert_eq!((back.domestic.result, back.foreign.result), (2, 2));
    assert!(!host.upload_report("62969002", 1).unwrap().closed);

    // Magstripe records: s1 right, s2 with a wrong amount, and an unknown trace.
    let records = BatchRecords {
        records: vec![
            BatchRecord {
                organisation: 0,
                trace: s1.number(11).unwrap() as u32,
                pan: cards::DEBIT_IC.into(),
                amount: 1_000,
            },
            BatchRecord {
                organisation: 0,
                trace: s2.number(11).unwrap() as u32,
                pan: cards::CAPTURE.into(),
                amount: 2_100,
            },
            BatchRecord {
                organisation: 0,
                trace: 4_242,
                pan: cards::DEBIT_IC.into(),
                amount: 1,
            },
        ],
    };
    let mut m = upload(&mut t, 201, 0);
    m.set(48, records.to_digits().unwrap()).unwrap();
    assert_eq!(t.send(&m).code(), "00");
    // The terminal's upload was interrupted before it saw the answer: it resumes by sending
    // the same records again (a new trace number). They are the same records, counted once.
    let mut again = upload(&mut t, 201, 0);
    again.set(48, records.to_digits().unwrap()).unwrap();
    assert_eq!(t.send(&again).code(), "00");
    assert_eq!(host.upload_report("62969002", 1).unwrap().uploaded.len(), 3);
    // An IC record for s2 (60.3 203, 61 = batch + trace).
    let mut ic = upload(&mut t, 203, 0);
    ic.set(2, cards::CAPTURE).unwrap();
    ic.set(3, "000000").unwrap();
    ic.set_number(4, 2_000, 12).unwrap();
    ic.set(55, hex::decode("9F2608BBFD1BFACF6A6429").unwrap())
        .unwrap();
    ic.set(
        61,
        OriginalMessage {
            batch: t.batch,
            trace: s2.number(11).unwrap() as u32,
            date: None,
            extra: String::new(),
        }
        .to_digits(),
    )
    .unwrap();
    assert_eq!(t.send(&ic).code(), "00");
    // End: unbalanced, declares 4 records.
    let mut end = upload(&mut t, 202, 0);
    end.set(48, "0004").unwrap();
    assert_eq!(t.send(&end).code(), "00");

    let report = host.upload_report("62969002", 1).unwrap();
    assert!(report.finished && report.closed);
    assert_eq!(report.uploaded.len(), 4);
    let s2_trace = s2.number(11).unwrap() as u32;
    assert!(report.mismatches.contains(&UploadMismatch::AmountDiffers {
        trace: s2_trace,
        host: 2_000,
        terminal: 2_100
    }));
    assert!(report
        .mismatches
        .contains(&UploadMismatch::NotOnHost { trace: 4_242 }));
    assert!(report
        .mismatches
        .iter()
        .any(|m| matches!(m, UploadMismatch::NotUploaded { amount: 500, .. })));
    assert!(host
        .journal("62969002")
        .iter()
        .any(|e| e.trace == s2_trace && e.tc_uploaded));
}

#[test]
fn tc_upload_and_script_result_are_acknowledged() {
    let (host, _c) = start_host();
    let mut t = Term::tcp(&host, "62969002");
    t.sign_in();
    let (s, _) = t.sale(cards::DEBIT_IC, 100, None);
    let mut tc = upload(&mut t, 203, 22);
    tc.set(2, cards::DEBIT_IC).unwrap();
    tc.set(55, hex::decode("9F2608BBFD1BFACF6A6429").unwrap())
        .unwrap();
    tc.set(61, format!("{:06}{:06}", t.batch, s.number(11).unwrap()))
        .unwrap();
    assert_eq!(t.send(&tc).code(), "00");
    assert!(host.journal("62969002")[0].tc_uploaded);

    let mut sr = Message::new(Mti::new("0620").unwrap());
    sr.set(2, cards::DEBIT_IC).unwrap();
    sr.set_number(11, u64::from(t.next_trace()), 6).unwrap();
    sr.set(41, &t.tid).unwrap();
    sr.set(42, &t.mid).unwrap();
    sr.set(55, hex::decode("9F5B0520000000001").unwrap_or_default())
        .unwrap();
    sr.set(
        60,
        Field60 {
            batch: t.batch,
            network_code: 951,
            ..Field60::default()
        }
        .to_digits(),
    )
    .unwrap();
    sr.set(61, format!("{:06}{:06}", t.batch, s.number(11).unwrap()))
        .unwrap();
    sr.set(64, [0u8; 8]).unwrap();
    let a = t.send(&sr);
    assert_eq!(a.code(), "00");
    assert_eq!(a.msg.mti().as_str(), "0630");
}
