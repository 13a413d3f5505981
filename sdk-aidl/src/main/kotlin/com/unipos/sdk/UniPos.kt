package com.unipos.sdk

/** Names of the unified acquiring app's components and the contract version. */
object UniPos {
    /** Version of this contract (AIDL + Intent keys). Bumped when fields or methods are appended. */
    const val CONTRACT_VERSION = 2

    /** Package of the unified acquiring app (the launcher app in android/app). */
    const val SERVICE_PACKAGE = "com.unipos.app"

    /** Action of the bound service implementing [IUniPosService]. */
    const val ACTION_BIND_SERVICE = "com.unipos.action.BIND_PAYMENT_SERVICE"

    /** Activity action: run one transaction ([TransRequest] keys as extras), result by setResult. */
    const val ACTION_PAY = "com.unipos.action.PAY"

    /** Activity action without UI: the result of extra [Extras.REQUEST_ID] (or the last one), by setResult. */
    const val ACTION_QUERY = "com.unipos.action.QUERY"

    /**
     * Permission guarding the service and both activities: protectionLevel signature|knownSigner
     * (knownCerts) on Android 12+; on Android 7 to 11 the service's per-call allow-list check is
     * what admits third-party apps (see docs/integration-guide.md, "Permissions").
     */
    const val PERMISSION_PAYMENT = "com.unipos.permission.PAYMENT"
}

/** [TransRequest.transType] / [TransResult.transType]. 0 is invalid on purpose (a forgotten field fails). */
object TransType {
    const val SALE = 1
    const val VOID = 2
    const val REFUND = 3
    const val PREAUTH = 4
    const val PREAUTH_VOID = 5
    const val PREAUTH_COMPLETION = 6
    const val PREAUTH_COMPLETION_VOID = 7
    const val BALANCE_INQUIRY = 8
    const val SETTLEMENT = 9
    const val SIGN_IN = 10
    const val REPRINT = 11

    /** Types that move money and therefore need amount > 0. */
    @JvmStatic fun needsAmount(type: Int): Boolean =
        type == SALE || type == REFUND || type == PREAUTH || type == PREAUTH_COMPLETION

    @JvmStatic fun isKnown(type: Int): Boolean = type in SALE..REPRINT

    @JvmStatic fun name(type: Int): String = when (type) {
        SALE -> "SALE"; VOID -> "VOID"; REFUND -> "REFUND"; PREAUTH -> "PREAUTH"
        PREAUTH_VOID -> "PREAUTH_VOID"; PREAUTH_COMPLETION -> "PREAUTH_COMPLETION"
        PREAUTH_COMPLETION_VOID -> "PREAUTH_COMPLETION_VOID"; BALANCE_INQUIRY -> "BALANCE_INQUIRY"
        SETTLEMENT -> "SETTLEMENT"; SIGN_IN -> "SIGN_IN"; REPRINT -> "REPRINT"
        else -> "TYPE_$type"
    }
}

/** [TransRequest.payMethod]. */
object PayMethod {
    /** The cashier chooses on the terminal (card or QR). Default. */
    const val CHOOSE = 0
    /** Bank card: swipe, insert or tap. */
    const val CARD = 1
    /** The terminal scans the customer's payment code (B scans C, 被扫). */
    const val QR_SCAN = 2
    /** The terminal shows a QR code the customer scans (C scans B, 主扫). */
    const val QR_SHOW = 3

    @JvmStatic fun isKnown(m: Int): Boolean = m in CHOOSE..QR_SHOW
}

/** [TransRequest.printMode]. */
object PrintMode {
    /** The terminal's configured receipt policy. Default. */
    const val AUTO = 0
    const val NONE = 1
    const val MERCHANT = 2
    const val CUSTOMER = 3
    const val BOTH = 4

    @JvmStatic fun isKnown(m: Int): Boolean = m in AUTO..BOTH
}

/** [TransResult.channel]. */
object Channel {
    const val NONE = 0
    const val CARD = 1
    const val WECHAT = 2
    const val ALIPAY = 3
    const val UNIONPAY_QR = 4
}

/** [TransResult.state]. Only APPROVED means money moved (or, for management types, the operation succeeded). */
object TransState {
    /** No transaction with this request id for the calling app: nothing was started, nothing charged. */
    const val NOT_FOUND = 0
    /** Accepted and running (waiting for card, PIN, customer or host). */
    const val PENDING = 1
    const val APPROVED = 2
    /** The host or card declined: no money moved. */
    const val DECLINED = 3
    /** Did not complete (cancelled, not sent, reversed, device error): no money moved. */
    const val FAILED = 4
    /** The terminal does not know yet (lost answer being reversed / QR being queried): query again later. */
    const val UNKNOWN = 5
    /** Since contract 2: it was approved, then an approved void cancelled it; the money moved back. */
    const val VOIDED = 6

    @JvmStatic fun isFinal(state: Int): Boolean =
        state == APPROVED || state == DECLINED || state == FAILED || state == VOIDED
}

/** Stages reported through [IUniPosCallback.onProgress]. */
object ProgressStage {
    const val ACCEPTED = 1
    const val WAITING_FOR_CARD = 2
    const val WAITING_FOR_PIN = 3
    const val WAITING_FOR_PAYMENT_CODE = 4
    const val SHOWING_QR_CODE = 5
    /** Customer is confirming in the wallet app (e.g. entering a password). */
    const val WAITING_FOR_CUSTOMER = 6
    /** Talking to the host. Cancel is no longer possible from here on. */
    const val ONLINE = 7
    /** Reversing or querying an earlier lost answer before this transaction. */
    const val RESOLVING = 8
    const val PRINTING = 9
}
