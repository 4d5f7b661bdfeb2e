App({
  globalData: {
    // Set after login: the back end's session token and whether an agreement is signed.
    session: null,
    // How long one step of the trip animation lasts, in ms.
    tickMs: 400,
  },
  onLaunch(options) {
    console.log('ride launched at', options.path || 'pages/index/index');
  },
});
