package com.unipos.app

import android.app.Activity
import android.app.Application
import android.graphics.BitmapFactory
import com.unipos.app.ui.PayPanel
import com.unipos.sdk.PayMethod
import com.unipos.sdk.ProgressStage
import com.unipos.sdk.TransType
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import android.widget.Button
import android.widget.ImageView

/**
 * Pictures of the pay Intent's screen ([PayPanel]) from fixed data, compared with docs/screens/:
 * Chinese and English at 720x1280 and 1080x2160. Also what each stage offers: Cancel exactly where
 * the dispatcher takes one, the code only while it is shown or being closed.
 */
@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [30], application = Application::class)
class PayPanelScreensTest {
    private lateinit var activity: Activity

    @Before fun setUp() {
        val controller = Robolectric.buildActivity(Activity::class.java)
        controller.get().setTheme(R.style.Theme_UniPos)
        activity = controller.setup().get()
    }

    private fun s(id: Int, vararg args: Any): String = if (args.isEmpty()) activity.getString(id) else activity.getString(id, *args)
    private fun yuan(fen: Long) = s(R.string.amount_yuan, com.unipos.app.cashier.Money.yuan(fen))

    private fun panel(stage: Int, method: Int = PayMethod.CARD, amount: Long = 4_321, type: Int = TransType.SALE) =
        PayPanel(activity, {}).apply {
            request = PayPanel.Request(Merchant.LABEL, type, method, amount)
            this.stage = stage
        }

    private fun withCode(p: PayPanel) = p.apply {
        val png = ScreenFixtures.dynamicCode().png
        code = BitmapFactory.decodeByteArray(png, 0, png.size)
    }

    private fun shot(name: String, p: PayPanel, vararg keys: String) {
        p.render()
        ScreenPictures.static(activity, name, keys.toList())
    }

    private fun shown() = ScreenPictures.views(activity.window.decorView)

    @Test @Config(qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
    fun chinese_720x1280() {
        shot("zh_720_pay_card", panel(ProgressStage.WAITING_FOR_CARD), s(R.string.fn_sale), s(R.string.pay_requested_by, Merchant.LABEL),
            yuan(4_321), s(R.string.stage_card), s(R.string.action_cancel))
        shot("zh_720_pay_code", withCode(panel(ProgressStage.SHOWING_QR_CODE, PayMethod.QR_SHOW, 3_650)), s(R.string.pay_show_code),
            s(R.string.qr_show_scan), s(R.string.stage_qr_shown), s(R.string.action_cancel))
        shot("zh_720_pay_code_closing", withCode(panel(ProgressStage.RESOLVING, PayMethod.QR_SHOW, 3_650)).apply { cancelledIn = ProgressStage.SHOWING_QR_CODE },
            s(R.string.qr_show_closing))
        shot("zh_720_pay_scan", panel(ProgressStage.WAITING_FOR_PAYMENT_CODE, PayMethod.QR_SCAN, 2_600), s(R.string.pay_scan),
            s(R.string.pay_stage_payment_code), s(R.string.pay_stage_payment_code_hint), s(R.string.action_cancel))
        shot("zh_720_pay_online", panel(ProgressStage.ONLINE), s(R.string.stage_online))
        shot("zh_720_pay_refused", panel(ProgressStage.ONLINE).apply { refused = true }, s(R.string.pay_cancel_refused))
        shot("zh_720_pay_checking", PayPanel(activity, {}), s(R.string.pay_title), s(R.string.pay_checking))
        shot("zh_720_pay_choose", panel(PayPanel.CHOOSING, PayMethod.CHOOSE, 12_880), s(R.string.fn_sale), s(R.string.pay_choose),
            s(R.string.pay_card), s(R.string.pay_scan), s(R.string.pay_show_code), s(R.string.action_cancel))
    }

    @Test @Config(qualifiers = "zh-rCN-w360dp-h720dp-xxhdpi")
    fun chinese_1080x2160() {
        shot("zh_1080_pay_card", panel(ProgressStage.WAITING_FOR_CARD), s(R.string.stage_card), s(R.string.action_cancel))
        shot("zh_1080_pay_code", withCode(panel(ProgressStage.SHOWING_QR_CODE, PayMethod.QR_SHOW, 3_650)), s(R.string.stage_qr_shown))
        shot("zh_1080_pay_choose", panel(PayPanel.CHOOSING, PayMethod.CHOOSE, 12_880), s(R.string.pay_choose), s(R.string.pay_show_code))
        shot("zh_1080_pay_scan", panel(ProgressStage.WAITING_FOR_PAYMENT_CODE, PayMethod.QR_SCAN, 2_600),
            s(R.string.pay_stage_payment_code), s(R.string.action_cancel))
    }

    @Test @Config(qualifiers = "en-rUS-w360dp-h640dp-xhdpi")
    fun english_720x1280() {
        shot("en_720_pay_card", panel(ProgressStage.WAITING_FOR_CARD), s(R.string.fn_sale), s(R.string.pay_requested_by, Merchant.LABEL),
            s(R.string.stage_card), s(R.string.action_cancel))
        shot("en_720_pay_code", withCode(panel(ProgressStage.SHOWING_QR_CODE, PayMethod.QR_SHOW, 3_650)), s(R.string.stage_qr_shown))
        shot("en_720_pay_scan", panel(ProgressStage.WAITING_FOR_PAYMENT_CODE, PayMethod.QR_SCAN, 2_600),
            s(R.string.pay_stage_payment_code), s(R.string.pay_stage_payment_code_hint), s(R.string.action_cancel))
        shot("en_720_pay_refused", panel(ProgressStage.ONLINE).apply { refused = true }, s(R.string.pay_cancel_refused))
        shot("en_720_pay_choose", panel(PayPanel.CHOOSING, PayMethod.CHOOSE, 12_880), s(R.string.pay_choose), s(R.string.pay_scan))
    }

    @Test @Config(qualifiers = "en-rUS-w360dp-h720dp-xxhdpi")
    fun english_1080x2160() {
        shot("en_1080_pay_code", withCode(panel(ProgressStage.SHOWING_QR_CODE, PayMethod.QR_SHOW, 3_650)), s(R.string.stage_qr_shown))
        shot("en_1080_pay_scan", panel(ProgressStage.WAITING_FOR_PAYMENT_CODE, PayMethod.QR_SCAN, 2_600),
            s(R.string.pay_stage_payment_code), s(R.string.action_cancel))
    }

    /** Cancel is offered exactly in the stages the dispatcher passes a cancel on; the code only while it is shown or closing. */
    @Test @Config(qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
    fun cancel_and_code_follow_the_stage() {
        val cancellable = setOf(ProgressStage.WAITING_FOR_CARD, ProgressStage.WAITING_FOR_PAYMENT_CODE,
            ProgressStage.SHOWING_QR_CODE, ProgressStage.WAITING_FOR_CUSTOMER)
        for (stage in PayPanel.CHECKING..ProgressStage.PRINTING) {
            withCode(panel(stage, PayMethod.QR_SHOW)).render()
            val cancel = shown().filterIsInstance<Button>().any { it.text == s(R.string.action_cancel) }
            assertEquals("stage $stage", stage in cancellable, cancel)
            assertEquals("stage $stage", stage == ProgressStage.SHOWING_QR_CODE, shown().any { it is ImageView })
        }
        // Choosing: the three ways to pay and Cancel, each answering what it says.
        val picked = ArrayList<Int>()
        var cancelled = 0
        PayPanel(activity, { cancelled++ }, { picked += it }).apply {
            request = PayPanel.Request(Merchant.LABEL, TransType.SALE, PayMethod.CHOOSE, 12_880)
            stage = PayPanel.CHOOSING
        }.render()
        for (label in listOf(R.string.pay_card, R.string.pay_scan, R.string.pay_show_code, R.string.action_cancel)) {
            shown().filterIsInstance<Button>().single { it.text == s(label) }.performClick()
        }
        assertEquals(listOf(PayMethod.CARD, PayMethod.QR_SCAN, PayMethod.QR_SHOW), picked)
        assertEquals(1, cancelled)
        // Pressed: the button gives way to what the engine is doing.
        val p = panel(ProgressStage.WAITING_FOR_CUSTOMER, PayMethod.QR_SCAN).apply { cancelledIn = ProgressStage.WAITING_FOR_CUSTOMER }
        p.render()
        assertFalse(shown().filterIsInstance<Button>().any { it.text == s(R.string.action_cancel) })
        assertTrue(ScreenPictures.views(activity.window.decorView).filterIsInstance<android.widget.TextView>().any { it.text == s(R.string.qr_cancelling) })
    }
}
