/*
 * The outcome (or current state) of one transaction. Never carries a full PAN, track data, PIN
 * or key material: maskedPan keeps the first 6 and last 4 digits only.
 * Compatibility rules: see TransRequest.aidl (append-only).
 */
package com.unipos.sdk;

parcelable TransResult {
    /** Contract version of the service. */
    int version = 1;
    /** The caller's request id. */
    String requestId;
    /** TransType.* of the request. */
    int transType;
    /**
     * TransState.*: APPROVED (done, money moved as described), DECLINED / FAILED (no money
     * moved), PENDING (still running), UNKNOWN (the terminal is still resolving a lost answer:
     * query again later, never retry with a new id), NOT_FOUND (no such request id for this app),
     * VOIDED (since 2: it was approved, then voided; the money moved back).
     */
    int state;
    /** ErrorCodes.* (0 when approved). Stable numeric table shared with the Rust core. */
    int errorCode;
    /** Human-readable text; never parse it. */
    String message;
    /** Host response code, ISO 8583 field 39 ("00" approved), empty if no host answer. */
    String responseCode;
    /** Requested amount, fen. */
    long amount;
    /** Approved amount, fen (less than amount on a partial approval). */
    long approvedAmount;
    /** Channel.*: CARD, WECHAT, ALIPAY, UNIONPAY_QR (NONE for management operations). */
    int channel;
    /** Trace (voucher) number, field 11, 6 digits. */
    String traceNo;
    /** Retrieval reference number, field 37, 12 chars. */
    String referenceNo;
    /** Authorization code, field 38, 6 chars. */
    String authCode;
    /** Batch number, 6 digits. */
    String batchNo;
    /** Card number masked as first 6 + '*' + last 4, e.g. 622202******1234; empty for QR. */
    String maskedPan;
    /** QR order number (the acquirer's QR order); empty for card. */
    String qrOrderNo;
    /** Wallet-side transaction number (WeChat/Alipay/UnionPay), if the acquirer returned it. */
    String channelTradeNo;
    /** Merchant order number echoed from the request. */
    String orderNo;
    /** Merchant number (field 42) and terminal number (field 41) that took the transaction. */
    String merchantId;
    String terminalId;
    /** Terminal local time of the transaction, yyyyMMddHHmmss. */
    String transTime;
    /** Balance in fen for BALANCE_INQUIRY; -1 otherwise. */
    long balance = -1;
    /** SETTLEMENT: number and total (fen) of the batch's transactions; whether totals matched. */
    int settleCount;
    long settleAmount;
    boolean settleBalanced;
    /**
     * 0, or a 4xxx ErrorCodes device code when the receipt could not be printed. Independent of
     * the transaction outcome: an APPROVED sale with printErrorCode != 0 is still approved
     * (reprint with TransType.REPRINT).
     */
    int printErrorCode;
    /**
     * Since 2. For a void, refund or completion: the original's request id (when it is one of the
     * calling app's own) and trace number.
     */
    String origRequestId;
    String origTraceNo;
}
