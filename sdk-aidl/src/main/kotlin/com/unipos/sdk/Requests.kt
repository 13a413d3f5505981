package com.unipos.sdk

import java.util.UUID

/**
 * Builders for every transaction type. Each returns a [TransRequest] ready for
 * [UniPosClient.payOrRecover] or [UniPosIntents.payIntent]. The request id is the caller's
 * idempotency key: create it once per payment attempt of an order, STORE IT before calling, and
 * reuse the same id when recovering (never a new id for a payment whose outcome you do not know).
 */
object Requests {
    /** A fresh request id (32 hex chars). Persist it with your order before you call the service. */
    @JvmStatic
    fun newRequestId(): String = UUID.randomUUID().toString().replace("-", "")

    private fun base(requestId: String, type: Int, amount: Long = 0, printMode: Int = PrintMode.AUTO) =
        TransRequest().also {
            it.version = UniPos.CONTRACT_VERSION
            it.requestId = requestId
            it.transType = type
            it.amount = amount
            it.printMode = printMode
        }

    /** Sale (消费) of [amount] fen by card, QR or the cashier's choice. */
    @JvmStatic @JvmOverloads
    fun sale(requestId: String, amount: Long, payMethod: Int = PayMethod.CHOOSE, orderNo: String? = null,
             printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.SALE, amount, printMode).also { it.payMethod = payMethod; it.orderNo = orderNo }

    /**
     * QR sale with the customer's payment code that your app scanned with its own scanner
     * ([code]: the digits of the code; never stored or logged by unipos).
     */
    @JvmStatic @JvmOverloads
    fun qrSaleWithCode(requestId: String, amount: Long, code: String, orderNo: String? = null,
                       printMode: Int = PrintMode.AUTO): TransRequest =
        sale(requestId, amount, PayMethod.QR_SCAN, orderNo, printMode).also { it.paymentCode = code }

    /** Same-day, same-batch void (撤销) of a sale, always the full amount. Give origRequestId or origTraceNo. */
    @JvmStatic @JvmOverloads
    fun voidSale(requestId: String, origRequestId: String? = null, origTraceNo: String? = null,
                 printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.VOID, 0, printMode).also { it.origRequestId = origRequestId; it.origTraceNo = origTraceNo }

    /**
     * Refund (退货) of [amount] fen, partial or full, of a sale of any day. Give origRequestId, or
     * origReferenceNo + origDate (card), or origQrOrderNo (QR).
     */
    @JvmStatic @JvmOverloads
    fun refund(requestId: String, amount: Long, origRequestId: String? = null, origReferenceNo: String? = null,
               origDate: String? = null, origQrOrderNo: String? = null, printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.REFUND, amount, printMode).also {
            it.origRequestId = origRequestId; it.origReferenceNo = origReferenceNo
            it.origDate = origDate; it.origQrOrderNo = origQrOrderNo
        }

    /** Pre-authorization (预授权) of [amount] fen; card only. */
    @JvmStatic @JvmOverloads
    fun preAuth(requestId: String, amount: Long, orderNo: String? = null, printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.PREAUTH, amount, printMode).also { it.payMethod = PayMethod.CARD; it.orderNo = orderNo }

    /** Pre-auth void (预授权撤销). Give origRequestId, or origAuthCode + origDate. */
    @JvmStatic @JvmOverloads
    fun preAuthVoid(requestId: String, origRequestId: String? = null, origAuthCode: String? = null,
                    origDate: String? = null, amount: Long = 0, printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.PREAUTH_VOID, amount, printMode).also {
            it.origRequestId = origRequestId; it.origAuthCode = origAuthCode; it.origDate = origDate
        }

    /** Pre-auth completion (预授权完成), up to 115 % of the pre-auth. Give origRequestId, or origAuthCode + origDate. */
    @JvmStatic @JvmOverloads
    fun preAuthCompletion(requestId: String, amount: Long, origRequestId: String? = null, origAuthCode: String? = null,
                          origDate: String? = null, printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.PREAUTH_COMPLETION, amount, printMode).also {
            it.origRequestId = origRequestId; it.origAuthCode = origAuthCode; it.origDate = origDate
        }

    /** Pre-auth completion void (预授权完成撤销). Give origRequestId or origTraceNo. */
    @JvmStatic @JvmOverloads
    fun preAuthCompletionVoid(requestId: String, origRequestId: String? = null, origTraceNo: String? = null,
                              printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.PREAUTH_COMPLETION_VOID, 0, printMode).also {
            it.origRequestId = origRequestId; it.origTraceNo = origTraceNo
        }

    @JvmStatic
    fun balanceInquiry(requestId: String): TransRequest =
        base(requestId, TransType.BALANCE_INQUIRY).also { it.payMethod = PayMethod.CARD }

    /** End-of-day settlement (结算) of the current batch. */
    @JvmStatic @JvmOverloads
    fun settlement(requestId: String, printMode: Int = PrintMode.AUTO): TransRequest =
        base(requestId, TransType.SETTLEMENT, 0, printMode)

    @JvmStatic
    fun signIn(requestId: String): TransRequest = base(requestId, TransType.SIGN_IN)

    /** Reprint (重打印) a receipt: of origRequestId / origTraceNo, or of the last transaction if both are empty. */
    @JvmStatic @JvmOverloads
    fun reprint(requestId: String, origRequestId: String? = null, origTraceNo: String? = null,
                printMode: Int = PrintMode.CUSTOMER): TransRequest =
        base(requestId, TransType.REPRINT, 0, printMode).also { it.origRequestId = origRequestId; it.origTraceNo = origTraceNo }
}

/** The verdict of [RequestValidator.check]: [errorCode] is [ErrorCodes.OK] when the request is well formed. */
class Check(val errorCode: Int, val message: String) {
    val ok: Boolean get() = errorCode == ErrorCodes.OK
    override fun toString() = "Check($errorCode, $message)"
}

/**
 * Field checks of a [TransRequest], the same on both sides: the client library runs them before it
 * calls, and the service runs them again on every request (never trusting the client). Business
 * checks (original found, batch, limits, sign-in) are the terminal's.
 */
object RequestValidator {
    /** Largest amount ISO 8583 field 4 (n12) can carry, in fen. */
    const val MAX_AMOUNT = 999_999_999_999L
    const val MAX_REQUEST_ID = 64
    const val MAX_ORDER_NO = 64
    const val MAX_REMARK = 60

    private val REQUEST_ID = Regex("[A-Za-z0-9._:-]{1,$MAX_REQUEST_ID}")
    /** 000001..999999: trace 000000 does not exist (found by the JVM fuzzer: the core refused it as malformed). */
    private val TRACE = Regex("(?!000000)[0-9]{6}")
    private val REFERENCE = Regex("[A-Za-z0-9]{12}")
    private val AUTH_CODE = Regex("[A-Za-z0-9]{1,6}")
    private val ORDER = Regex("[\\x21-\\x7E]{1,$MAX_ORDER_NO}")
    private val PAYMENT_CODE = Regex("[0-9]{10,32}")

    @JvmStatic
    fun isValidRequestId(id: String?): Boolean = id != null && REQUEST_ID.matches(id)

    private fun isMmdd(s: String?): Boolean {
        if (s == null || s.length != 4 || !s.all { it in '0'..'9' }) return false
        val m = s.substring(0, 2).toInt(); val d = s.substring(2).toInt()
        return m in 1..12 && d in 1..31
    }

    private fun bad(msg: String) = Check(ErrorCodes.INVALID_REQUEST, msg)

    @JvmStatic
    fun check(r: TransRequest?): Check {
        if (r == null) return bad("no request")
        if (!isValidRequestId(r.requestId)) return bad("requestId must be 1..$MAX_REQUEST_ID chars of [A-Za-z0-9._:-]")
        if (r.transType == 0) return bad("transType missing")
        if (!TransType.isKnown(r.transType)) return Check(ErrorCodes.UNSUPPORTED_TRANSACTION, "unknown transType ${r.transType}")
        if (!PayMethod.isKnown(r.payMethod)) return Check(ErrorCodes.UNSUPPORTED_TRANSACTION, "unknown payMethod ${r.payMethod}")
        if (!PrintMode.isKnown(r.printMode)) return bad("unknown printMode ${r.printMode}")
        if (r.amount < 0 || r.amount > MAX_AMOUNT) return Check(ErrorCodes.INVALID_AMOUNT, "amount out of range")
        if (TransType.needsAmount(r.transType) && r.amount == 0L) return Check(ErrorCodes.INVALID_AMOUNT, "amount (fen) must be > 0")
        r.orderNo?.let { if (it.isNotEmpty() && !ORDER.matches(it)) return bad("orderNo must be <= $MAX_ORDER_NO printable ASCII chars") }
        r.receiptRemark?.let {
            if (it.length > MAX_REMARK || it.contains('\n') || it.contains('\r')) return bad("receiptRemark must be <= $MAX_REMARK chars, one line")
        }
        if (r.cardWaitSeconds != 0 && r.cardWaitSeconds !in 10..120) return bad("cardWaitSeconds must be 0 or 10..120")
        r.paymentCode?.let {
            if (it.isNotEmpty()) {
                if (!PAYMENT_CODE.matches(it)) return bad("paymentCode must be 10..32 digits")
                if (r.transType != TransType.SALE || r.payMethod != PayMethod.QR_SCAN)
                    return bad("paymentCode goes with a SALE of payMethod QR_SCAN")
            }
        }
        r.origRequestId?.let { if (it.isNotEmpty() && !isValidRequestId(it)) return bad("origRequestId malformed") }
        r.origTraceNo?.let { if (it.isNotEmpty() && !TRACE.matches(it)) return bad("origTraceNo must be 6 digits, 000001..999999") }
        r.origReferenceNo?.let { if (it.isNotEmpty() && !REFERENCE.matches(it)) return bad("origReferenceNo must be 12 letters/digits") }
        r.origAuthCode?.let { if (it.isNotEmpty() && !AUTH_CODE.matches(it)) return bad("origAuthCode must be 1..6 letters/digits") }
        r.origDate?.let { if (it.isNotEmpty() && !isMmdd(it)) return bad("origDate must be MMDD") }
        r.origQrOrderNo?.let { if (it.isNotEmpty() && !ORDER.matches(it)) return bad("origQrOrderNo must be <= $MAX_ORDER_NO printable ASCII chars") }

        val byId = !r.origRequestId.isNullOrEmpty()
        val hasTrace = !r.origTraceNo.isNullOrEmpty()
        val hasAuth = !r.origAuthCode.isNullOrEmpty() && !r.origDate.isNullOrEmpty()
        when (r.transType) {
            TransType.VOID, TransType.PREAUTH_COMPLETION_VOID ->
                if (!byId && !hasTrace) return bad("${TransType.name(r.transType)} needs origRequestId or origTraceNo")
            TransType.REFUND -> {
                val byRef = !r.origReferenceNo.isNullOrEmpty() && !r.origDate.isNullOrEmpty()
                val byQr = !r.origQrOrderNo.isNullOrEmpty()
                if (!byId && !byRef && !byQr) return bad("REFUND needs origRequestId, origReferenceNo + origDate, or origQrOrderNo")
            }
            TransType.PREAUTH_VOID, TransType.PREAUTH_COMPLETION ->
                if (!byId && !hasAuth) return bad("${TransType.name(r.transType)} needs origRequestId or origAuthCode + origDate")
            TransType.PREAUTH, TransType.BALANCE_INQUIRY ->
                if (r.payMethod != PayMethod.CARD && r.payMethod != PayMethod.CHOOSE)
                    return Check(ErrorCodes.UNSUPPORTED_TRANSACTION, "${TransType.name(r.transType)} is card only")
        }
        return Check(ErrorCodes.OK, "OK")
    }
}

/** Card-number masking: first 6 and last 4 digits only. Nothing else of a PAN ever leaves the terminal. */
object PanMask {
    private val MASKED = Regex("[0-9]{6}\\*{3,9}[0-9]{4}")

    /** Masks a PAN (12..19 digits) as first 6 + '*' + last 4; anything else becomes "" (never echoed). */
    @JvmStatic
    fun mask(pan: String?): String {
        val digits = pan?.filter { it in '0'..'9' } ?: return ""
        if (digits.length !in 13..19 || digits.length != pan.length) return if (isMasked(pan)) pan else ""
        return digits.take(6) + "*".repeat(digits.length - 10) + digits.takeLast(4)
    }

    /** True if [s] is empty or already in the masked form. */
    @JvmStatic
    fun isMasked(s: String?): Boolean = s.isNullOrEmpty() || MASKED.matches(s)
}
