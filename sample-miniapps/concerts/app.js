App({
  globalData: {
    // Set after login: the back end's session token and the fan's short name.
    session: null,
  },
  onLaunch(options) {
    console.log('concerts launched at', options.path || 'pages/index/index');
  },
});
