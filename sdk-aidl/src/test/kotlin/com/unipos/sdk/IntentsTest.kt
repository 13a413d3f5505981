package com.unipos.sdk

import android.app.Activity
import android.content.ComponentName
import android.content.Intent
import android.content.IntentFilter
import android.os.Bundle
import android.os.Parcel
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf

/** The pay Intent with real android.content.Intent / android.os.Bundle, across a real Parcel. */
@RunWith(RobolectricTestRunner::class)
class IntentsTest {
    /** What crossing a process boundary does to an Intent. */
    private fun acrossProcess(i: Intent): Intent {
        val p = Parcel.obtain()
        try {
            i.writeToParcel(p, 0)
            p.setDataPosition(0)
            return Intent.CREATOR.createFromParcel(p)
        } finally {
            p.recycle()
        }
    }

    @Test fun payIntentCarriesTheRequestAsPlainExtras() {
        val req = Requests.sale("o-1", 1250, PayMethod.CARD, orderNo = "A-1", printMode = PrintMode.CUSTOMER)
        val i = acrossProcess(UniPosIntents.payIntent(req))
        assertEquals(UniPos.ACTION_PAY, i.action)
        assertEquals(UniPos.SERVICE_PACKAGE, i.`package`)
        assertEquals("o-1", i.getStringExtra(Extras.REQUEST_ID))
        assertEquals(1250L, i.getLongExtra(Extras.AMOUNT, -1))
        assertEquals(TransType.SALE, i.getIntExtra(Extras.TRANS_TYPE, -1))
        assertEquals(PrintMode.CUSTOMER, i.getIntExtra(Extras.PRINT_MODE, -1))
        val back = UniPosIntents.requestFromIntent(i)   // what the payment app's PayActivity does
        assertEquals("A-1", back.orderNo)
        assertEquals(PayMethod.CARD, back.payMethod)
        assertTrue(RequestValidator.check(back).ok)
    }

    @Test fun handWrittenExtrasFromOtherFrameworksAreReadLeniently() {
        // e.g. a Flutter / uni-app / React Native bridge: ints, strings, doubles for numbers
        val i = Intent(UniPos.ACTION_PAY).apply {
            putExtra(Extras.REQUEST_ID, "js-7"); putExtra(Extras.TRANS_TYPE, "1"); putExtra(Extras.AMOUNT, 1250.0)
            putExtra(Extras.PRINT_MODE, 4); putExtra("someVendorKey", "ignored")
        }
        val r = UniPosIntents.requestFromIntent(acrossProcess(i))
        assertEquals(TransType.SALE, r.transType)
        assertEquals(1250L, r.amount)
        assertEquals(PrintMode.BOTH, r.printMode)
        assertTrue(RequestValidator.check(r).ok)

        // A yuan string is never guessed into fen: it reads as no amount and is rejected.
        val yuan = UniPosIntents.requestFromIntent(Intent().putExtra(Extras.REQUEST_ID, "y").putExtra(Extras.TRANS_TYPE, 1)
            .putExtra(Extras.AMOUNT, "12.50"))
        assertEquals(0L, yuan.amount)
        assertEquals(ErrorCodes.INVALID_AMOUNT, RequestValidator.check(yuan).errorCode)
        assertEquals(0L, UniPosIntents.requestFromIntent(Intent().putExtra(Extras.AMOUNT, 12.5)).amount)
    }

    private fun approved(id: String) = TransResult().apply {
        requestId = id; transType = TransType.SALE; state = TransState.APPROVED; amount = 1250; approvedAmount = 1000
        channel = Channel.CARD; traceNo = "000321"; referenceNo = "112233445566"; authCode = "654321"; batchNo = "000007"
        maskedPan = "6222021234567890123"   // a careless service filled the full PAN: must never cross
        responseCode = "00"
    }

    @Test fun resultRoundTripMasksThePanAndKeepsPartialApproval() {
        val res = approved("o-2")
        val data = acrossProcess(UniPosIntents.resultIntent(res))
        assertEquals(Activity.RESULT_OK, UniPosIntents.resultCodeFor(res))
        assertEquals("622202*********0123", data.getStringExtra(Extras.MASKED_PAN))
        val r = UniPosIntents.parseResult("o-2", Activity.RESULT_OK, data)
        assertEquals(TransState.APPROVED, r.state)
        assertEquals(1250L, r.amount)
        assertEquals(1000L, r.approvedAmount)
        assertEquals("112233445566", r.referenceNo)
        assertEquals("654321", r.authCode)
        assertEquals(-1L, r.balance)
        assertTrue(PanMask.isMasked(r.maskedPan))
        for (k in data.extras!!.keySet()) {
            val v = data.extras!!.get(k)
            assertFalse("$k leaks a full PAN", v is String && v.contains("6222021234567890123"))
        }
    }

    @Test fun missingOrForeignResultMeansQueryFirst() {
        val none = UniPosIntents.parseResult("o-3", Activity.RESULT_CANCELED, null)
        assertEquals(TransState.UNKNOWN, none.state)
        assertEquals(ErrorCodes.NO_RESULT, none.errorCode)
        assertTrue(ErrorCodes.isOutcomeUnknown(none.errorCode))
        assertEquals("o-3", none.requestId)

        val other = UniPosIntents.parseResult("o-3", Activity.RESULT_OK, UniPosIntents.resultIntent(approved("o-OTHER")))
        assertEquals(TransState.UNKNOWN, other.state)

        val inconsistent = UniPosIntents.parseResult("o-2", Activity.RESULT_CANCELED, UniPosIntents.resultIntent(approved("o-2")))
        assertEquals(TransState.UNKNOWN, inconsistent.state)

        val declined = TransResult().apply {
            requestId = "o-4"; state = TransState.DECLINED; errorCode = ErrorCodes.INSUFFICIENT_FUNDS; responseCode = "51"
        }
        val d = UniPosIntents.parseResult("o-4", UniPosIntents.resultCodeFor(declined), UniPosIntents.resultIntent(declined))
        assertEquals(TransState.DECLINED, d.state)
        assertEquals(ErrorCodes.INSUFFICIENT_FUNDS, d.errorCode)
        assertEquals("51", d.responseCode)
    }

    @Test fun queryIntent() {
        val i = UniPosIntents.queryIntent("o-5")
        assertEquals(UniPos.ACTION_QUERY, i.action)
        assertEquals("o-5", i.getStringExtra(Extras.REQUEST_ID))
        assertTrue(UniPosIntents.queryIntent(null).getBooleanExtra(Extras.QUERY_LAST, false))
        assertNull(UniPosIntents.queryIntent(null).getStringExtra(Extras.REQUEST_ID))
    }

    /** startActivityForResult / onActivityResult with a real Activity. */
    @Test fun activityFlow() {
        val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
        val req = Requests.sale(Requests.newRequestId(), 500)
        activity.startActivityForResult(UniPosIntents.payIntent(req), 42)
        val started = shadowOf(activity).nextStartedActivityForResult
        assertEquals(42, started.requestCode)
        assertEquals(UniPos.ACTION_PAY, started.intent.action)
        assertEquals(req.requestId, started.intent.getStringExtra(Extras.REQUEST_ID))

        // the payment app's side: parse, run (here: approve), answer
        val got = UniPosIntents.requestFromIntent(acrossProcess(started.intent))
        val res = approved(got.requestId).apply { amount = got.amount; approvedAmount = got.amount }
        val parsed = UniPosIntents.parseResult(req.requestId, UniPosIntents.resultCodeFor(res),
            acrossProcess(UniPosIntents.resultIntent(res)))
        assertEquals(TransState.APPROVED, parsed.state)
        assertEquals(500L, parsed.approvedAmount)
    }

    @Test fun installedCheckUsesPackageVisibility() {
        val ctx = RuntimeEnvironment.getApplication()
        assertFalse(UniPosIntents.isPaymentAppInstalled(ctx))
        val spm = shadowOf(ctx.packageManager)
        val component = ComponentName(UniPos.SERVICE_PACKAGE, "com.unipos.app.PayActivity")
        spm.addActivityIfNotPresent(component)
        spm.addIntentFilterForActivity(component, IntentFilter(UniPos.ACTION_PAY).apply { addCategory(Intent.CATEGORY_DEFAULT) })
        assertTrue(UniPosIntents.isPaymentAppInstalled(ctx))
    }

    @Test fun emptyBundleIsNotAResult() {
        val r = BundleCodec.resultFromBundle(Bundle())
        assertEquals(TransState.UNKNOWN, r.state)
        assertEquals(ErrorCodes.NO_RESULT, r.errorCode)
    }
}
