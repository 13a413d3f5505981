package com.unipos.sdk

import android.app.Activity
import android.content.Context
import android.content.Intent

/**
 * The pay Intent: for apps that prefer startActivityForResult to binding the service.
 *
 * ```
 * val req = Requests.sale(requestId, 1250, PayMethod.CHOOSE, orderNo = "A-1001")
 * startActivityForResult(UniPosIntents.payIntent(req), REQ_PAY)
 * ...
 * override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
 *     val r = UniPosIntents.parseResult(savedRequestId, resultCode, data)
 *     if (r.state == TransState.UNKNOWN) startActivityForResult(UniPosIntents.queryIntent(savedRequestId), REQ_QUERY)
 * }
 * ```
 * resultCode is RESULT_OK only for an APPROVED result; any other result comes with
 * RESULT_CANCELED and a data Intent carrying state/errorCode. RESULT_CANCELED with no data means
 * the caller does not know the outcome: [parseResult] turns that into state UNKNOWN, error
 * NO_RESULT, and the caller must query ([queryIntent] or [UniPosClient.query]) before anything else.
 */
object UniPosIntents {
    /** The explicit pay Intent (action com.unipos.action.PAY, the request as extras). */
    @JvmStatic @JvmOverloads
    fun payIntent(request: TransRequest, servicePackage: String = UniPos.SERVICE_PACKAGE): Intent =
        Intent(UniPos.ACTION_PAY).setPackage(servicePackage).putExtras(BundleCodec.requestToBundle(request))

    /** A no-UI query of [requestId], or of the caller's last transaction when [requestId] is null. */
    @JvmStatic @JvmOverloads
    fun queryIntent(requestId: String?, servicePackage: String = UniPos.SERVICE_PACKAGE): Intent =
        Intent(UniPos.ACTION_QUERY).setPackage(servicePackage).apply {
            if (requestId == null) putExtra(Extras.QUERY_LAST, true) else putExtra(Extras.REQUEST_ID, requestId)
        }

    /** Since contract 2: a no-UI query of the caller's newest transaction that carried [orderNo]. */
    @JvmStatic @JvmOverloads
    fun queryByOrderNoIntent(orderNo: String, servicePackage: String = UniPos.SERVICE_PACKAGE): Intent =
        Intent(UniPos.ACTION_QUERY).setPackage(servicePackage).putExtra(Extras.ORDER_NO, orderNo)

    /** True if the payment app is installed and visible (Android 11+: needs the <queries> entry). */
    @JvmStatic @JvmOverloads
    fun isPaymentAppInstalled(context: Context, servicePackage: String = UniPos.SERVICE_PACKAGE): Boolean =
        context.packageManager.queryIntentActivities(Intent(UniPos.ACTION_PAY).setPackage(servicePackage), 0).isNotEmpty()

    /**
     * Parses onActivityResult for the request [requestId]. Never throws. A missing result, or a
     * result for another request id, reads as state UNKNOWN / NO_RESULT: query, do not retry blindly.
     */
    @JvmStatic
    fun parseResult(requestId: String, resultCode: Int, data: Intent?): TransResult {
        val r = BundleCodec.resultFromBundle(data?.extras)
        if (r.errorCode == ErrorCodes.NO_RESULT || r.requestId != requestId) {
            return unknown(requestId, ErrorCodes.NO_RESULT)
        }
        // A RESULT_OK that does not say APPROVED, or an APPROVED without RESULT_OK, is inconsistent: query.
        if ((resultCode == Activity.RESULT_OK) != (r.state == TransState.APPROVED) && TransState.isFinal(r.state)) {
            return unknown(requestId, ErrorCodes.NO_RESULT)
        }
        return r
    }

    // ---- service side (used by the payment app's PayActivity) --------------------------------------

    /** The request carried by a pay Intent (unknown extras ignored). Validate with [RequestValidator]. */
    @JvmStatic
    fun requestFromIntent(intent: Intent?): TransRequest = BundleCodec.requestFromBundle(intent?.extras)

    /** The Activity result code for [result]: RESULT_OK only when APPROVED. */
    @JvmStatic
    fun resultCodeFor(result: TransResult): Int =
        if (result.state == TransState.APPROVED) Activity.RESULT_OK else Activity.RESULT_CANCELED

    /** The data Intent for setResult(resultCodeFor(result), resultIntent(result)). */
    @JvmStatic
    fun resultIntent(result: TransResult): Intent = Intent().putExtras(BundleCodec.resultToBundle(result))

    internal fun unknown(requestId: String?, code: Int): TransResult = TransResult().apply {
        this.requestId = requestId
        state = TransState.UNKNOWN
        errorCode = code
        message = ErrorCodes.describe(code)
    }
}
