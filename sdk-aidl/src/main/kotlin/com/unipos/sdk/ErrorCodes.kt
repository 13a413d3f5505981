package com.unipos.sdk

/**
 * The stable numeric error table of the unipos payment contract.
 *
 * The same numbers are produced by the Rust core (unipos-ffi maps its public error enum to them),
 * returned by the AIDL service and by the pay Intent. A code, once published, never changes
 * meaning; new codes are only added. Ranges:
 *
 *  - 0      OK
 *  - 1xxx   caller / request errors and terminal state: nothing was sent, no money moved
 *  - 2xxx   declined by the card or the host: the host answered, no money moved
 *  - 3xxx   communication: what happened on the wire, and what the caller must do next
 *  - 4xxx   device: printer, card reader, PIN pad, scanner, security module
 *  - 5xxx   internal errors of the payment app
 *  - 6xxx   produced only by this client library on the caller's side (never by the service
 *           or the Rust core): the caller could not learn the outcome, so it MUST query
 *
 * The money question is answered by [TransResult.state], not by the code alone; the codes tell
 * why. The codes for which the outcome is not (yet) known are listed in [isOutcomeUnknown].
 */
object ErrorCodes {
    const val OK = 0

    // ---- 1xxx: caller errors and terminal state (nothing sent, no money moved) ----------------------
    /** A required field is missing or malformed (requestId, transType, amount, original reference...). */
    const val INVALID_REQUEST = 1001
    /** This request id is already running: wait for its result, or query it. Not an error of the transaction. */
    const val REQUEST_IN_PROGRESS = 1002
    /** This request id already has a final result: call queryByRequestId; nothing new was started. */
    const val REQUEST_ALREADY_DONE = 1003
    /** This request id was used before with different content (type, amount, original): use a new id. */
    const val REQUEST_ID_CONFLICT = 1004
    /** The calling app is not on the terminal's allow-list (uid / signing certificate / permission). */
    const val CALLER_NOT_ALLOWED = 1005
    /** The terminal is not signed in (or parameters are not downloaded): do a SIGN_IN first. */
    const val NOT_SIGNED_IN = 1006
    /** The terminal is busy with another transaction (one at a time): try again later. */
    const val TERMINAL_BUSY = 1007
    /** This transaction type or pay method is not supported or not enabled on this terminal. */
    const val UNSUPPORTED_TRANSACTION = 1008
    /** Amount is zero, negative, above the terminal's limit, or not allowed for this type. */
    const val INVALID_AMOUNT = 1009
    /** The original transaction of a void / refund / completion / reprint was not found. */
    const val ORIGINAL_NOT_FOUND = 1010
    /** The original cannot take this operation (already voided, not in the current batch, expired pre-auth...). */
    const val ORIGINAL_INVALID_STATE = 1011
    /** A refund would exceed the original amount (sum of all refunds), or a completion exceeds 115 % of the pre-auth. */
    const val AMOUNT_EXCEEDS_ORIGINAL = 1012
    /** Cancelled by the caller (cancel()), the cashier or the customer before anything was sent. */
    const val CANCELLED = 1013
    /** queryByRequestId / cancel: this app never used this request id (nothing was started). */
    const val NOT_FOUND = 1014
    /** Settlement or batch upload is running or must finish first: no online transaction now. */
    const val SETTLEMENT_PENDING = 1015
    /** cancel(): too late, the card has been read / the request has been sent; wait for the result. */
    const val CANCEL_NOT_ALLOWED = 1016
    /**
     * The terminal's allow-list does not grant your app this operation (void, refund, pre-auth,
     * settlement, sign-in...): nothing was done. Ask the acquirer to add the capability to your entry.
     */
    const val CAPABILITY_NOT_GRANTED = 1017

    // ---- 11xx: operators and the supervisor: the terminal's own cashier screens only ------------------
    // A merchant app never receives these (its requests need no operator or supervisor password).
    /** No operator is signed in: sign in with the operator number and password first. */
    const val OPERATOR_NOT_SIGNED_IN = 1101
    /** The operation needs the supervisor's password; the grant was missing, expired, used or for another operation. */
    const val SUPERVISOR_REQUIRED = 1102
    /** Wrong password (the result says how many attempts are left before the lock). */
    const val WRONG_PASSWORD = 1103
    /** Locked after repeated wrong passwords: try again after the time the result gives. */
    const val PASSWORD_LOCKED = 1104
    /** The password was set by the factory and must be changed before first use. */
    const val PASSWORD_CHANGE_REQUIRED = 1105
    /** There is no operator with this number. */
    const val UNKNOWN_OPERATOR = 1106

    // ---- 2xxx: declined (the host or the card answered; no money moved) ----------------------------
    /** Declined by the host; responseCode (field 39) tells why. */
    const val HOST_DECLINED = 2001
    /** Insufficient funds (host code 51). */
    const val INSUFFICIENT_FUNDS = 2002
    /** Wrong PIN (host code 55). */
    const val WRONG_PIN = 2003
    /** PIN tries exceeded (host code 75). */
    const val PIN_TRIES_EXCEEDED = 2004
    /** Expired card (host code 54 / 33). */
    const val EXPIRED_CARD = 2005
    /** Card not allowed, restricted, lost or stolen (host codes 04, 14, 41, 43, 57, 62...). */
    const val CARD_NOT_ALLOWED = 2006
    /** Merchant or terminal invalid at the host (host codes 03, 58, 97). */
    const val INVALID_MERCHANT = 2007
    /** The chip card itself declined (EMV AAC) or the card could not be processed. */
    const val CARD_DECLINED = 2008
    /** QR: the payment code is invalid or expired, or the customer's wallet refused it. */
    const val QR_CODE_INVALID = 2009
    /** QR: the customer did not pay in time; the order was closed (nothing charged). */
    const val QR_PAYMENT_CLOSED = 2010

    // ---- 3xxx: communication -----------------------------------------------------------------------
    /** Could not connect to the host; nothing was sent, nothing charged. Safe to retry (same or new id). */
    const val NO_CONNECTION = 3001
    /** Sent, but no valid answer; the terminal REVERSED it (host confirmed): nothing charged. */
    const val NO_ANSWER_REVERSED = 3002
    /**
     * Sent, no valid answer, and the reversal / QR query has not completed yet: the outcome is
     * UNKNOWN. The terminal keeps resolving it (reversal before the next transaction, QR query).
     * Do NOT start a new payment for the same order: query this request id again later.
     */
    const val RESULT_UNKNOWN = 3003

    // ---- 4xxx: device --------------------------------------------------------------------------------
    /** Printer out of paper (appears as printErrorCode; the transaction outcome is separate). */
    const val PRINTER_OUT_OF_PAPER = 4001
    /** Printer fault (overheat, cover open, hardware). */
    const val PRINTER_ERROR = 4002
    /** Card reader error (read failure, fallback refused). */
    const val CARD_READER_ERROR = 4003
    /** No card or payment code presented in time. Nothing sent. */
    const val CARD_WAIT_TIMEOUT = 4004
    /** PIN pad error or PIN entry timeout. */
    const val PIN_PAD_ERROR = 4005
    /** Scanner / camera error. */
    const val SCANNER_ERROR = 4006
    /** Security module error (keys missing or invalid): the terminal needs key loading / sign-in. */
    const val SECURITY_MODULE_ERROR = 4007

    // ---- 5xxx: internal ------------------------------------------------------------------------------
    /** Unexpected internal error of the payment app. If a request was accepted, query it. */
    const val INTERNAL_ERROR = 5001
    /** Journal storage error (disk full, database error). */
    const val STORAGE_ERROR = 5002
    /** Terminal not configured (merchant/terminal ids, host address, keys). */
    const val CONFIGURATION_ERROR = 5003

    // ---- 6xxx: client library only ---------------------------------------------------------------------
    /** The payment app is not installed, or not visible (missing <queries> on Android 11+). */
    const val SERVICE_NOT_INSTALLED = 6001
    /** Binding failed after all retries (service disabled, permission missing, null binding). */
    const val SERVICE_UNAVAILABLE = 6002
    /** The service died or the binder call failed: the call may or may not have arrived. QUERY. */
    const val SERVICE_DIED = 6003
    /** No result within the caller's wait: QUERY (the transaction may still be running). */
    const val RESULT_TIMEOUT = 6004
    /** The pay Activity returned no result (app crashed, killed, or back-pressed): QUERY. */
    const val NO_RESULT = 6005

    /** True for the codes after which the caller does not know whether money moved: query by request id. */
    @JvmStatic fun isOutcomeUnknown(code: Int): Boolean = when (code) {
        RESULT_UNKNOWN, SERVICE_DIED, RESULT_TIMEOUT, NO_RESULT, REQUEST_IN_PROGRESS, REQUEST_ALREADY_DONE -> true
        else -> false
    }

    /** "ok", "caller", "declined", "communication", "device", "internal", "client" or "unknown". */
    @JvmStatic fun category(code: Int): String = when (code) {
        OK -> "ok"
        in 1000..1999 -> "caller"
        in 2000..2999 -> "declined"
        in 3000..3999 -> "communication"
        in 4000..4999 -> "device"
        in 5000..5999 -> "internal"
        in 6000..6999 -> "client"
        else -> "unknown"
    }

    /** Every published code with a one-line English description (the documented table). */
    val ALL: Map<Int, String> = linkedMapOf(
        OK to "OK",
        INVALID_REQUEST to "invalid request",
        REQUEST_IN_PROGRESS to "request id already in progress",
        REQUEST_ALREADY_DONE to "request id already has a final result",
        REQUEST_ID_CONFLICT to "request id reused with different content",
        CALLER_NOT_ALLOWED to "caller not allowed",
        NOT_SIGNED_IN to "terminal not signed in",
        TERMINAL_BUSY to "terminal busy",
        UNSUPPORTED_TRANSACTION to "transaction not supported",
        INVALID_AMOUNT to "invalid amount",
        ORIGINAL_NOT_FOUND to "original transaction not found",
        ORIGINAL_INVALID_STATE to "original transaction in wrong state",
        AMOUNT_EXCEEDS_ORIGINAL to "amount exceeds original",
        CANCELLED to "cancelled",
        NOT_FOUND to "request id not found",
        SETTLEMENT_PENDING to "settlement or batch upload pending",
        CANCEL_NOT_ALLOWED to "too late to cancel",
        OPERATOR_NOT_SIGNED_IN to "no operator signed in (cashier screens only)",
        SUPERVISOR_REQUIRED to "supervisor password required (cashier screens only)",
        WRONG_PASSWORD to "wrong operator or supervisor password (cashier screens only)",
        PASSWORD_LOCKED to "locked after wrong passwords (cashier screens only)",
        PASSWORD_CHANGE_REQUIRED to "factory password must be changed (cashier screens only)",
        UNKNOWN_OPERATOR to "no such operator (cashier screens only)",
        CAPABILITY_NOT_GRANTED to "operation not granted to this app",
        HOST_DECLINED to "declined by host",
        INSUFFICIENT_FUNDS to "insufficient funds",
        WRONG_PIN to "wrong PIN",
        PIN_TRIES_EXCEEDED to "PIN tries exceeded",
        EXPIRED_CARD to "expired card",
        CARD_NOT_ALLOWED to "card not allowed",
        INVALID_MERCHANT to "invalid merchant or terminal",
        CARD_DECLINED to "declined by card",
        QR_CODE_INVALID to "payment code invalid or expired",
        QR_PAYMENT_CLOSED to "QR payment not completed, order closed",
        NO_CONNECTION to "no connection to host, nothing sent",
        NO_ANSWER_REVERSED to "no answer from host, reversed",
        RESULT_UNKNOWN to "result unknown, query later",
        PRINTER_OUT_OF_PAPER to "printer out of paper",
        PRINTER_ERROR to "printer error",
        CARD_READER_ERROR to "card reader error",
        CARD_WAIT_TIMEOUT to "no card presented in time",
        PIN_PAD_ERROR to "PIN pad error",
        SCANNER_ERROR to "scanner error",
        SECURITY_MODULE_ERROR to "security module error",
        INTERNAL_ERROR to "internal error",
        STORAGE_ERROR to "storage error",
        CONFIGURATION_ERROR to "terminal not configured",
        SERVICE_NOT_INSTALLED to "payment app not installed or not visible",
        SERVICE_UNAVAILABLE to "payment service unavailable",
        SERVICE_DIED to "payment service died, query the request id",
        RESULT_TIMEOUT to "no result in time, query the request id",
        NO_RESULT to "no result returned, query the request id",
    )

    @JvmStatic fun describe(code: Int): String = ALL[code] ?: "error $code"
}
