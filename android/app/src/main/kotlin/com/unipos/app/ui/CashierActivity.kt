package com.unipos.app.ui

import android.app.Activity
import android.os.Bundle
import com.unipos.app.ui.screens.HomeScreen

/**
 * The cashier's app: one activity, portrait, the app's own theme, and a stack of screens
 * ([Navigator]): home (amount, keypad, payment choice), the function menu, every transaction's
 * flow, journal, reprint, settlement, management and setup. The home screen sends the cashier to
 * the operator sign-in when nobody is signed in. Nothing here decides about money: the engine
 * does, through the cashier's desk.
 */
class CashierActivity : Activity() {
    lateinit var navigator: Navigator
        private set

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        navigator = Navigator(this)
        navigator.resetTo(HomeScreen())
    }

    override fun onResume() {
        super.onResume()
        // Back from elsewhere: the home screen shows the operator and what is unresolved afresh.
        (navigator.current as? HomeScreen)?.onShown()
    }

    @Deprecated("Platform back handling of API 24-32; the screens keep their own stack.")
    override fun onBackPressed() {
        if (!navigator.back()) {
            @Suppress("DEPRECATION")
            super.onBackPressed()
        }
    }

    /**
     * Shows [screen] built from fixed data, with nothing loaded (the pictures of the screens): the
     * live stack is detached first, so nothing it loaded later can replace the picture.
     */
    fun showStatic(screen: Screen, operator: String?) {
        navigator.detach()
        navigator = Navigator(this, live = false)
        navigator.operator = operator
        navigator.resetTo(screen)
    }
}
