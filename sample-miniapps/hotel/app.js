App({
  globalData: {
    // Set after login: the back end's session token, the guest's masked phone and membership level.
    session: null,
    // The current search, shared by the search, results and booking pages.
    search: null,
    // The chain's cities and booking rules, from the back end.
    cities: null,
  },
  onLaunch(options) {
    console.log('hotel launched at', options.path || 'pages/index/index');
  },
});
