package com.unipos.app

import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.ui.screens.HomeScreen
import com.unipos.app.ui.screens.ResultScreen
import com.unipos.app.ui.screens.UnresolvedScreen
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode

/**
 * A lost answer through the screens: the result is "unknown: being resolved, do not charge again",
 * the home screen shows the unresolved banner, its screen says what happens, the reversal goes out
 * ("reverse now"), the host undoes the charge and nothing is left unresolved.
 */
class RecoveryTestApp : TestApp("62969013")

@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [30], application = RecoveryTestApp::class, qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
class CashierRecoveryTest {
    private lateinit var app: TestApp
    private val tid get() = app.terminalId

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        app.runtime.dispatcher.awaitIdle(60_000)
        app.operatorSignedIn()
        HostSim.clearFaults()
    }

    @After fun tearDown() {
        HostSim.clearFaults()
        app.closeRuntime()
    }

    @Test fun lost_answer_unknown_result_banner_then_the_reversal() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        val before = HostSim.available(SimulatedHardware.TEST_CARD)
        HostSim.loseNextAnswer(tid)
        ui.keys("4321")
        ui.tap(R.string.pay_card)
        val result = ui.waitFor<ResultScreen>(60_000)
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_unknown) && ui.shows(R.string.result_unknown_reason))
        assertEquals(before - 4321, HostSim.available(SimulatedHardware.TEST_CARD))  // the host did charge
        assertTrue(result.isCurrent)
        ScreenPictures.live(ui.activity, "live_lost_answer_unknown", listOf(ui.str(R.string.verdict_unknown)))
        ui.tap(R.string.action_done)
        val home = ui.waitFor<HomeScreen>()
        ui.until("the banner") { ui.texts().any { it.contains(ui.activity.resources.getQuantityString(R.plurals.home_unresolved, 1, 1).take(4)) } }
        assertTrue(home.unresolved!!.pendingReversals.size == 1)
        ScreenPictures.live(ui.activity, "live_home_unresolved_banner", listOf(ui.activity.resources.getQuantityString(R.plurals.home_unresolved, 1, 1)))
        ui.tapRowWith(ui.activity.resources.getQuantityString(R.plurals.home_unresolved, 1, 1))
        ui.waitFor<UnresolvedScreen>()
        assertTrue(ui.shows(R.string.unresolved_pending) && ui.shows(R.string.unresolved_do_not_charge))
        ScreenPictures.live(ui.activity, "live_unresolved_pending_reversal", listOf(ui.str(R.string.action_reverse_now)))
        ui.tap(R.string.action_reverse_now)
        ui.until("reversed") { ui.shows(R.string.unresolved_flushed, 1, 0) }
        ui.until("nothing left") { ui.shows(R.string.unresolved_none) }
        ScreenPictures.live(ui.activity, "live_unresolved_reversed", listOf(ui.str(R.string.unresolved_none)))
        assertEquals(before, HostSim.available(SimulatedHardware.TEST_CARD))
    }
}
