App({
  globalData: {
    // Set after login: the back end's session token.
    session: null,
  },
  onLaunch(options) {
    console.log('movies launched at', options.path || 'pages/index/index');
  },
});
