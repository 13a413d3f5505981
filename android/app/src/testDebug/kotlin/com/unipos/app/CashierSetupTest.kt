package com.unipos.app

import com.unipos.app.provisioning.Field
import com.unipos.app.ui.screens.HomeScreen
import com.unipos.app.ui.screens.ManageScreen
import com.unipos.app.ui.screens.SetupScreen
import com.unipos.app.ui.screens.SupervisorScreen
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/**
 * The setup screen of a single terminal (issue 13), behind the supervisor's password: a bad value is
 * refused naming the field and nothing is applied; a good change is applied and in force.
 */
class SetupTestApp : TestApp("62969015")

@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = SetupTestApp::class, qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
class CashierSetupTest {
    private lateinit var app: TestApp

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        app.runtime.dispatcher.awaitIdle(60_000)
        app.operatorSignedIn()
    }

    @After fun tearDown() = app.closeRuntime()

    @Test fun bad_values_are_refused_by_name_and_a_good_change_applies() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_manage)
        ui.waitFor<ManageScreen>()
        ui.tap(R.string.manage_setup)
        ui.waitFor<SupervisorScreen>()
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_authorise)
        val setup = ui.waitFor<SetupScreen>()
        ui.until("current values") { setup.values != null }
        val before = app.runtime.settings.profile!!
        // TLS is a switch: on, with no CA pinned, is refused naming the CA field, and nothing changes.
        ui.tap(Field.POSP_TLS.title)
        ui.tap(R.string.action_apply)
        val needsCa = ui.str(R.string.provisioning_error, ui.str(R.string.field_posp_ca_pem), ui.str(R.string.problem_tls_needs_ca))
        ui.until("TLS without a CA refused") { ui.shows(needsCa) }
        assertEquals("nothing applied", before, app.runtime.settings.profile)
        ui.tap(Field.POSP_TLS.title)
        ui.type(Field.TERMINAL_ID.title, "1234")
        ui.type(Field.MERCHANT_NAME.title, "NEW NAME")
        ui.tap(R.string.action_apply)
        val named = ui.str(R.string.provisioning_error, ui.str(R.string.field_terminal_id), ui.str(R.string.problem_exact_length, 8))
        ui.until("refused by name") { ui.shows(named) }
        assertEquals("nothing half-applied", before, app.runtime.settings.profile)
        ui.type(Field.TERMINAL_ID.title, before.terminalId)
        ui.tap(R.string.action_apply)
        ui.until("applied", 60_000) { ui.shows(R.string.setup_applied) }
        assertEquals("NEW NAME", app.runtime.settings.profile!!.merchantName)
        assertTrue(app.runtime.settings.profile!!.terminalId == before.terminalId)
    }
}
