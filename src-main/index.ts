console.log('electron entry')
