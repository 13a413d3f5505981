/*
 * unipos third-party payment contract, version 2 (fields marked "since 2" are new).
 *
 * A request to the unified acquiring app. Field names are also the Intent extra keys of the pay
 * Intent (com.unipos.action.PAY); see docs/integration-guide.md for the full table.
 *
 * COMPATIBILITY RULES (checked by `aidl --checkapi` against sdk-aidl/api/<n>/ in build-host.sh):
 *  - fields are only ever APPENDED at the end; never removed, renamed, re-typed or re-ordered;
 *  - every new field has a default that means "behave as before";
 *  - structured parcelables are size-prefixed on the wire, so an older reader skips the fields it
 *    does not know and a newer reader keeps the defaults for fields an older writer did not send.
 */
package com.unipos.sdk;

parcelable TransRequest {
    /** Contract version the caller was built against (UniPos.CONTRACT_VERSION). */
    int version = 1;
    /**
     * REQUIRED on every request. The caller's idempotency key: 1..64 chars of [A-Za-z0-9._:-],
     * unique per calling app. The service persists it before any host I/O; repeating it never
     * charges twice (it reports the stored outcome or the in-flight state instead).
     */
    String requestId;
    /** TransType.* (SALE, VOID, REFUND, PREAUTH, ...). 0 is invalid. */
    int transType;
    /** PayMethod.*: CHOOSE (cashier chooses, default), CARD, QR_SCAN (B scans C), QR_SHOW (C scans B). */
    int payMethod;
    /** Amount in fen (1/100 yuan). > 0 for money-moving types; ignored for settlement, sign-in, balance, reprint. */
    long amount;
    /** Optional merchant order number, echoed in the result and printed, for reconciliation. <= 64 chars. */
    String orderNo;
    /** Original transaction by the caller's original requestId (easiest: void/refund/complete "that one"). */
    String origRequestId;
    /** Original trace (voucher) number, ISO 8583 field 11, 6 digits: void, completion void, reprint. */
    String origTraceNo;
    /** Original retrieval reference number, field 37, 12 chars: card refund. */
    String origReferenceNo;
    /** Original authorization code, field 38, 6 chars: pre-auth void, pre-auth completion. */
    String origAuthCode;
    /** Original transaction date MMDD: refund, pre-auth void, pre-auth completion. */
    String origDate;
    /** Original QR order number: QR void/refund. */
    String origQrOrderNo;
    /** PrintMode.*: AUTO (terminal setting, default), NONE, MERCHANT, CUSTOMER, BOTH. */
    int printMode;
    /** Optional remark printed on the receipt, <= 60 chars, no line breaks. */
    String receiptRemark;
    /** Seconds to wait for a card or a payment code; 0 = terminal default; else 10..120. */
    int cardWaitSeconds;
    /**
     * Since 2. The customer's payment code when the merchant app scanned it with its own
     * scanner (payMethod QR_SCAN): digits only, 10..32; never stored, logged or returned.
     * Empty: the terminal scans it.
     */
    String paymentCode;
}
