package com.unipos.sdk

import android.os.Bundle

/**
 * Intent extra / Bundle keys of the pay Intent. They are exactly the field names of the AIDL
 * parcelables, so one table documents both transports (docs/integration-guide.md). Plain names, like
 * the vendors' smart-POS conventions, so apps written with Flutter, React Native or uni-app can put
 * them by hand.
 */
object Extras {
    const val VERSION = "version"
    const val REQUEST_ID = "requestId"
    const val TRANS_TYPE = "transType"
    const val PAY_METHOD = "payMethod"
    const val AMOUNT = "amount"
    const val ORDER_NO = "orderNo"
    const val ORIG_REQUEST_ID = "origRequestId"
    const val ORIG_TRACE_NO = "origTraceNo"
    const val ORIG_REFERENCE_NO = "origReferenceNo"
    const val ORIG_AUTH_CODE = "origAuthCode"
    const val ORIG_DATE = "origDate"
    const val ORIG_QR_ORDER_NO = "origQrOrderNo"
    const val PRINT_MODE = "printMode"
    const val RECEIPT_REMARK = "receiptRemark"
    const val CARD_WAIT_SECONDS = "cardWaitSeconds"
    /** Since 2: the customer's payment code scanned by the merchant app itself. */
    const val PAYMENT_CODE = "paymentCode"

    // result keys (plus REQUEST_ID, TRANS_TYPE, AMOUNT, ORDER_NO, VERSION above)
    const val STATE = "state"
    const val ERROR_CODE = "errorCode"
    const val MESSAGE = "message"
    const val RESPONSE_CODE = "responseCode"
    const val APPROVED_AMOUNT = "approvedAmount"
    const val CHANNEL = "channel"
    const val TRACE_NO = "traceNo"
    const val REFERENCE_NO = "referenceNo"
    const val AUTH_CODE = "authCode"
    const val BATCH_NO = "batchNo"
    const val MASKED_PAN = "maskedPan"
    const val QR_ORDER_NO = "qrOrderNo"
    const val CHANNEL_TRADE_NO = "channelTradeNo"
    const val MERCHANT_ID = "merchantId"
    const val TERMINAL_ID = "terminalId"
    const val TRANS_TIME = "transTime"
    const val BALANCE = "balance"
    const val SETTLE_COUNT = "settleCount"
    const val SETTLE_AMOUNT = "settleAmount"
    const val SETTLE_BALANCED = "settleBalanced"
    const val PRINT_ERROR_CODE = "printErrorCode"
    // since 2 (plus ORIG_REQUEST_ID, ORIG_TRACE_NO above): a void's, refund's or completion's original
    /** ACTION_QUERY only: true = the caller's last transaction instead of REQUEST_ID. */
    const val QUERY_LAST = "queryLast"
}

/**
 * Converts the parcelables to and from Bundles (Intent extras). Reading is lenient about the
 * numeric type a hand-written caller used (Int, Long or a decimal String for a number), strict about
 * values (the validator runs afterwards), and ignores unknown keys (forward compatibility).
 */
object BundleCodec {
    @JvmStatic
    fun requestToBundle(r: TransRequest): Bundle = Bundle().apply {
        putInt(Extras.VERSION, r.version)
        putStr(Extras.REQUEST_ID, r.requestId)
        putInt(Extras.TRANS_TYPE, r.transType)
        putInt(Extras.PAY_METHOD, r.payMethod)
        putLong(Extras.AMOUNT, r.amount)
        putStr(Extras.ORDER_NO, r.orderNo)
        putStr(Extras.ORIG_REQUEST_ID, r.origRequestId)
        putStr(Extras.ORIG_TRACE_NO, r.origTraceNo)
        putStr(Extras.ORIG_REFERENCE_NO, r.origReferenceNo)
        putStr(Extras.ORIG_AUTH_CODE, r.origAuthCode)
        putStr(Extras.ORIG_DATE, r.origDate)
        putStr(Extras.ORIG_QR_ORDER_NO, r.origQrOrderNo)
        putInt(Extras.PRINT_MODE, r.printMode)
        putStr(Extras.RECEIPT_REMARK, r.receiptRemark)
        putInt(Extras.CARD_WAIT_SECONDS, r.cardWaitSeconds)
        putStr(Extras.PAYMENT_CODE, r.paymentCode)
    }

    @JvmStatic
    fun requestFromBundle(b: Bundle?): TransRequest = TransRequest().apply {
        if (b == null) return@apply
        version = b.int(Extras.VERSION, 1)
        requestId = b.str(Extras.REQUEST_ID)
        transType = b.int(Extras.TRANS_TYPE, 0)
        payMethod = b.int(Extras.PAY_METHOD, PayMethod.CHOOSE)
        amount = b.long(Extras.AMOUNT, 0)
        orderNo = b.str(Extras.ORDER_NO)
        origRequestId = b.str(Extras.ORIG_REQUEST_ID)
        origTraceNo = b.str(Extras.ORIG_TRACE_NO)
        origReferenceNo = b.str(Extras.ORIG_REFERENCE_NO)
        origAuthCode = b.str(Extras.ORIG_AUTH_CODE)
        origDate = b.str(Extras.ORIG_DATE)
        origQrOrderNo = b.str(Extras.ORIG_QR_ORDER_NO)
        printMode = b.int(Extras.PRINT_MODE, PrintMode.AUTO)
        receiptRemark = b.str(Extras.RECEIPT_REMARK)
        cardWaitSeconds = b.int(Extras.CARD_WAIT_SECONDS, 0)
        paymentCode = b.str(Extras.PAYMENT_CODE)
    }

    /** Result to Bundle. The PAN is re-masked here whatever the caller filled in (defence in depth). */
    @JvmStatic
    fun resultToBundle(r: TransResult): Bundle = Bundle().apply {
        putInt(Extras.VERSION, r.version)
        putStr(Extras.REQUEST_ID, r.requestId)
        putInt(Extras.TRANS_TYPE, r.transType)
        putInt(Extras.STATE, r.state)
        putInt(Extras.ERROR_CODE, r.errorCode)
        putStr(Extras.MESSAGE, r.message)
        putStr(Extras.RESPONSE_CODE, r.responseCode)
        putLong(Extras.AMOUNT, r.amount)
        putLong(Extras.APPROVED_AMOUNT, r.approvedAmount)
        putInt(Extras.CHANNEL, r.channel)
        putStr(Extras.TRACE_NO, r.traceNo)
        putStr(Extras.REFERENCE_NO, r.referenceNo)
        putStr(Extras.AUTH_CODE, r.authCode)
        putStr(Extras.BATCH_NO, r.batchNo)
        putStr(Extras.MASKED_PAN, PanMask.mask(r.maskedPan))
        putStr(Extras.QR_ORDER_NO, r.qrOrderNo)
        putStr(Extras.CHANNEL_TRADE_NO, r.channelTradeNo)
        putStr(Extras.ORDER_NO, r.orderNo)
        putStr(Extras.MERCHANT_ID, r.merchantId)
        putStr(Extras.TERMINAL_ID, r.terminalId)
        putStr(Extras.TRANS_TIME, r.transTime)
        putLong(Extras.BALANCE, r.balance)
        putInt(Extras.SETTLE_COUNT, r.settleCount)
        putLong(Extras.SETTLE_AMOUNT, r.settleAmount)
        putBoolean(Extras.SETTLE_BALANCED, r.settleBalanced)
        putInt(Extras.PRINT_ERROR_CODE, r.printErrorCode)
        putStr(Extras.ORIG_REQUEST_ID, r.origRequestId)
        putStr(Extras.ORIG_TRACE_NO, r.origTraceNo)
    }

    /**
     * Bundle to result. A Bundle without [Extras.STATE] is not a result: it reads as state UNKNOWN,
     * errorCode NO_RESULT, so the caller queries instead of guessing.
     */
    @JvmStatic
    fun resultFromBundle(b: Bundle?): TransResult = TransResult().apply {
        if (b == null || !b.containsKey(Extras.STATE)) {
            state = TransState.UNKNOWN; errorCode = ErrorCodes.NO_RESULT
            message = ErrorCodes.describe(ErrorCodes.NO_RESULT)
            requestId = b?.str(Extras.REQUEST_ID)
            return@apply
        }
        version = b.int(Extras.VERSION, 1)
        requestId = b.str(Extras.REQUEST_ID)
        transType = b.int(Extras.TRANS_TYPE, 0)
        state = b.int(Extras.STATE, TransState.UNKNOWN)
        errorCode = b.int(Extras.ERROR_CODE, ErrorCodes.OK)
        message = b.str(Extras.MESSAGE)
        responseCode = b.str(Extras.RESPONSE_CODE)
        amount = b.long(Extras.AMOUNT, 0)
        approvedAmount = b.long(Extras.APPROVED_AMOUNT, 0)
        channel = b.int(Extras.CHANNEL, Channel.NONE)
        traceNo = b.str(Extras.TRACE_NO)
        referenceNo = b.str(Extras.REFERENCE_NO)
        authCode = b.str(Extras.AUTH_CODE)
        batchNo = b.str(Extras.BATCH_NO)
        maskedPan = PanMask.mask(b.str(Extras.MASKED_PAN))
        qrOrderNo = b.str(Extras.QR_ORDER_NO)
        channelTradeNo = b.str(Extras.CHANNEL_TRADE_NO)
        orderNo = b.str(Extras.ORDER_NO)
        merchantId = b.str(Extras.MERCHANT_ID)
        terminalId = b.str(Extras.TERMINAL_ID)
        transTime = b.str(Extras.TRANS_TIME)
        balance = b.long(Extras.BALANCE, -1)
        settleCount = b.int(Extras.SETTLE_COUNT, 0)
        settleAmount = b.long(Extras.SETTLE_AMOUNT, 0)
        settleBalanced = b.bool(Extras.SETTLE_BALANCED)
        printErrorCode = b.int(Extras.PRINT_ERROR_CODE, 0)
        origRequestId = b.str(Extras.ORIG_REQUEST_ID)
        origTraceNo = b.str(Extras.ORIG_TRACE_NO)
    }

    private fun Bundle.putStr(k: String, v: String?) { if (v != null) putString(k, v) }

    // Bundle.get is the only way to read a value whose type the writer chose; only plain values are
    // accepted (never Parcelables: a Bundle from another app must not make us load its classes).
    @Suppress("DEPRECATION")
    private fun Bundle.raw(k: String): Any? = try { get(k) } catch (e: RuntimeException) { null }

    private fun Bundle.str(k: String): String? = when (val v = raw(k)) {
        is String -> v
        is Number, is Boolean -> v.toString()
        else -> null
    }

    private fun Bundle.long(k: String, def: Long): Long = when (val v = raw(k)) {
        is Long -> v
        is Int -> v.toLong()
        is Short -> v.toLong()
        is Byte -> v.toLong()
        // JavaScript bridges deliver every number as a double: accept it only if it is a whole number
        is Double -> if (v == Math.floor(v) && Math.abs(v) < 1e15) v.toLong() else def
        is Float -> if (v == Math.floor(v.toDouble()).toFloat() && Math.abs(v) < 1e7f) v.toLong() else def
        is String -> v.trim().let { s -> if (s.matches(Regex("-?[0-9]{1,18}"))) s.toLong() else def }
        else -> def
    }

    private fun Bundle.int(k: String, def: Int): Int {
        val l = long(k, def.toLong())
        return if (l in Int.MIN_VALUE..Int.MAX_VALUE) l.toInt() else def
    }

    private fun Bundle.bool(k: String): Boolean = when (val v = raw(k)) {
        is Boolean -> v
        is String -> v.equals("true", ignoreCase = true)
        is Number -> v.toLong() != 0L
        else -> false
    }
}
