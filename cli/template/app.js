App({
  onLaunch(options) {
    console.log('launched at', options.path || 'pages/index/index');
  },
});
