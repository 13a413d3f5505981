package com.unipos.app

import com.unipos.app.ui.screens.HomeScreen
import com.unipos.app.ui.screens.MenuScreen
import com.unipos.app.ui.screens.SettlementScreen
import com.unipos.app.ui.screens.SupervisorScreen
import org.junit.After
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/**
 * Refused supervisor passwords through the screens: the attempts left are shown, the third wrong
 * one locks the supervisor with the time it ends, and then even the right password is refused
 * (the engine keeps the lock, not the screen). A void or settlement cannot start meanwhile.
 */
class LockTestApp : TestApp("62969011")

@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = LockTestApp::class, qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
class CashierSupervisorLockTest {
    private lateinit var app: TestApp

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        app.runtime.dispatcher.awaitIdle(60_000)
        app.operatorSignedIn()
    }

    @After fun tearDown() = app.closeRuntime()

    @Test fun wrong_passwords_lock_the_supervisor_and_the_lock_holds() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.tap(R.string.action_menu)
        ui.waitFor<MenuScreen>()
        ui.tap(R.string.fn_settle)
        ui.waitFor<SettlementScreen>()
        ui.tap(R.string.action_settle)
        val screen = ui.waitFor<SupervisorScreen>()
        for (left in listOf(2, 1)) {
            ui.keys("111111")
            ui.tap(R.string.action_authorise)
            ui.until("$left left") { ui.shows(R.string.pw_wrong, left) }
        }
        ui.keys("111111")
        ui.tap(R.string.action_authorise)
        val locked = ui.str(R.string.pw_locked, "").substringBefore(" ")
        ui.until("locked") { screen.problem?.startsWith(locked.take(6)) == true }
        val firstLock = screen.problem
        // The right password is refused while the lock lasts: the engine decides, durably.
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_authorise)
        ui.until("still locked") { screen.problem != null && screen.problem == firstLock && !ui.shows(R.string.pw_wrong, 0) }
        ui.idle()
        assertTrue(ui.current is SupervisorScreen)
        assertTrue(ui.texts().toString(), ui.shows(firstLock!!))
    }
}
